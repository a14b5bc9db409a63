import type { Command } from 'commander';
import { ConfigError } from '../../errors.js';
import { fetchBoardSnapshot, subitemsBoardId, writeSnapshot } from '../../monday/board-schema.js';
import { clientFromConfig } from '../../monday/from-config.js';
import { snapshotPath } from '../../monday/snapshot-files.js';
import { loadCliConfig, print } from '../context.js';

export function registerBoard(program: Command): void {
  const board = program.command('board').description('Board structure: snapshots of columns, types, labels and groups.');
  board
    .command('snapshot')
    .description('Fetch the environment\'s items and subitems boards (columns, types, labels, groups) and write them next to the config, for offline `config validate` and drift checks by `doctor`.')
    .action(async (_opts, cmd: Command) => {
      const cfg = loadCliConfig(cmd);
      const s = cfg.settings;
      if (!s.monday.items_board_id) throw new ConfigError(`monday.items_board_id is not set for environment "${cfg.envName}"`);
      const { client } = clientFromConfig(cfg);
      const items = await fetchBoardSnapshot(client, s.monday.items_board_id);
      const subId = s.monday.subitems_board_id ?? subitemsBoardId(items);
      if (!subId) throw new ConfigError(`monday.subitems_board_id is not set and board ${items.board_id} links no subitems board`);
      const subitems = await fetchBoardSnapshot(client, subId);
      for (const [role, snap] of [['items', items], ['subitems', subitems]] as const) {
        const path = snapshotPath(cfg, s, cfg.envName, role);
        await writeSnapshot(path, snap);
        print(`wrote ${path}: board ${snap.board_id} "${snap.name}", ${snap.columns.length} columns, ${snap.groups.length} groups`);
      }
    });
}
