import type { Command } from 'commander';
import type { Settings } from '../../config/index.js';
import { fetchBoards, writeSnapshot, clientFromConfig, snapshotPath, type BoardSnapshot } from '../../monday/index.js';
import { loadCliConfig, print, printJson } from '../context.js';

export function registerBoard(program: Command): void {
  const board = program.command('board').description('Board structure: snapshots of columns, types, labels and groups.');
  board
    .command('columns')
    .description(
      "List the environment's items and subitems boards, live: each column's id, type, title and labels, and the config key that uses it. " +
        'The ids to put in [mapping.columns], mapping.size_column_id and mapping.qty_column_id.',
    )
    .option('--json', 'machine-readable output (both boards as snapshots, with the config keys per column)')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const cfg = loadCliConfig(cmd);
      const s = cfg.settings;
      const { client } = clientFromConfig(cfg);
      const { items, subitems } = await fetchBoards(client, s.monday, cfg.envName);
      const uses = { items: itemsUses(s), subitems: subitemsUses(s) };
      if (opts.json) {
        const withUses = (snap: BoardSnapshot, role: 'items' | 'subitems') => ({
          ...snap,
          columns: snap.columns.map((c) => ({ ...c, config_keys: uses[role].get(c.id) ?? [] })),
        });
        printJson({ env: cfg.envName, items: withUses(items, 'items'), subitems: withUses(subitems, 'subitems') });
        return;
      }
      print([formatColumns('items', items, uses.items), '', formatColumns('subitems', subitems, uses.subitems)].join('\n'));
    });

  board
    .command('snapshot')
    .description('Fetch the environment\'s items and subitems boards (columns, types, labels, groups) and write them next to the config, for offline `config validate` and drift checks by `doctor`.')
    .action(async (_opts, cmd: Command) => {
      const cfg = loadCliConfig(cmd);
      const s = cfg.settings;
      const { client } = clientFromConfig(cfg);
      const { items, subitems } = await fetchBoards(client, s.monday, cfg.envName);
      for (const [role, snap] of [['items', items], ['subitems', subitems]] as const) {
        const path = snapshotPath(cfg, s, cfg.envName, role);
        await writeSnapshot(path, snap);
        print(`wrote ${path}: board ${snap.board_id} "${snap.name}", ${snap.columns.length} columns, ${snap.groups.length} groups`);
      }
    });
}

type Uses = Map<string, string[]>;

function addUse(uses: Uses, id: string | undefined, key: string): void {
  if (id !== undefined) uses.set(id, [...(uses.get(id) ?? []), key]);
}

function itemsUses(s: Settings): Uses {
  const uses: Uses = new Map();
  for (const [staging, id] of Object.entries(s.mapping.columns)) addUse(uses, id, `mapping.columns.${JSON.stringify(staging)}`);
  addUse(uses, s.mapping.key_column_id, 'mapping.key_column_id');
  addUse(uses, s.cancel.status_column_id, 'cancel.status_column_id');
  return uses;
}

function subitemsUses(s: Settings): Uses {
  const uses: Uses = new Map();
  addUse(uses, s.mapping.size_column_id, 'mapping.size_column_id');
  addUse(uses, s.mapping.qty_column_id, 'mapping.qty_column_id');
  return uses;
}

function formatColumns(role: string, snap: BoardSnapshot, uses: Uses): string {
  const rows = snap.columns.map((c) => ({
    id: c.id,
    type: c.type,
    title: c.title,
    labels: (c.settings?.labels ?? []).filter((l) => !l.is_deactivated).map((l) => l.label).join(', '),
    used: (uses.get(c.id) ?? []).join(', '),
  }));
  const head = { id: 'ID', type: 'TYPE', title: 'TITLE', labels: 'LABELS (← config key using the column)', used: '' };
  const w = (k: 'id' | 'type' | 'title') => Math.max(head[k].length, ...rows.map((r) => r[k].length));
  const line = (r: typeof head) => `  ${r.id.padEnd(w('id'))}  ${r.type.padEnd(w('type'))}  ${r.title.padEnd(w('title'))}  ${r.labels}${r.used ? `  ← ${r.used}` : ''}`.trimEnd();
  return [`${role} board ${snap.board_id} "${snap.name}": ${snap.columns.length} columns`, line(head), ...rows.map(line)].join('\n');
}
