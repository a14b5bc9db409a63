import type { Command } from 'commander';
import { ExitCode } from '../../errors.js';
import { verifyBoard, type VerifyResult } from '../../checks/index.js';
import type { DriftFinding } from '../../sync/index.js';
import { confirmWrite, loadCliConfig, print, printJson, withDb } from '../context.js';
import { positiveInteger } from '../options.js';

interface VerifyFlags {
  fix?: boolean;
  json?: boolean;
  customer?: string;
  limit?: number;
}

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description(
      'Read the boards back and compare them with what each synced order says the board shows: items deleted, archived or moved, columns and names changed by hand, subitems missing, extra, duplicated or under another item, quantities changed, board items no order has, keys on two items. Rows queued or in ERROR are counted, not compared (their items and subitems are never "no order has"; an item a killed run created but never wrote back is matched to its in-flight order by key and listed as in flight, for the next run to adopt). Writes nothing unless --fix. Exit codes: 0 the board matches, 2 drift found, 1 failed, 3 configuration error.',
    )
    .option('--fix', 're-queue every repairable finding so the next `ordersync run` rewrites it through the journaled sync path (takes the run lock)')
    .option('--json', 'machine-readable output (every finding)')
    .option('--customer <name>', 'only this customer\'s orders (their items are read by id; no search for unknown items)')
    .option('--limit <n>', 'only the first N synced orders (by id)', positiveInteger('--limit'))
    .action(async (opts: VerifyFlags, cmd: Command) => {
      const cfg = loadCliConfig(cmd);
      if (opts.fix) confirmWrite(cmd, cfg);
      const result = await withDb(cfg, (db) => verifyBoard(db, cfg, { fix: opts.fix, customer: opts.customer, limit: opts.limit }));
      if (opts.json) printJson(result);
      else print(formatVerify(result));
      return result.findings.length === 0 || (opts.fix && result.needsAttention === 0) ? ExitCode.ok : ExitCode.degraded;
    });
}

const LABELS: Record<DriftFinding['kind'], string> = {
  item_missing: 'item missing from the board',
  wrong_group: 'item in another group',
  column_changed: 'column changed on the board',
  name_changed: 'item name changed on the board',
  subitem_missing: 'subitem missing',
  subitem_wrong_parent: 'subitem under another item',
  subitem_extra: 'subitem no line has',
  subitem_duplicated: 'size on two subitems',
  qty_changed: 'quantity changed on the board',
  unknown_item: 'board item no order has',
  duplicate_item: 'key on two active items',
};

export function formatVerify(r: VerifyResult): string {
  const out = [
    `verify (${r.env}): ${r.checked.orders} synced orders, ${r.checked.lines} subitems checked against ${r.checked.boardItems} board items${r.wholeBoard ? '' : ' (read by id)'}; ${r.api.requests} requests, ${r.api.complexityUsed.toLocaleString('en-US')} complexity`,
  ];
  if (r.readBack > 0) out.push(`${r.readBack} order(s) show other values in board-owned or read-back columns${r.requeued ? ': read back into the rows (board_values_json)' : ' (`--fix` or the next run reads them back into the rows, board_values_json)'}`);
  const queued = r.queued.orders + r.queued.lines > 0 ? `${r.queued.orders} order(s) and ${r.queued.lines} line(s) queued or in ERROR, not compared: the board shows their old values until \`ordersync run\` (or \`ordersync retry\`) writes them` : undefined;
  for (const f of r.inFlight) out.push(`in flight: ${f.order_key} item ${f.item_id} was created by a run that stopped before writing its id back; the next run adopts it (not an item no order has)`);
  if (r.findings.length === 0) {
    out.push(queued ? `the synced orders match the board; ${queued}` : 'the board matches what ordersync last synced');
    return out.join('\n');
  }
  if (queued) out.push(queued);
  for (const [kind, n] of Object.entries(r.counts)) if (n > 0) out.push(`  ${String(n).padStart(6)}  ${LABELS[kind as DriftFinding['kind']]}`);
  for (const f of r.findings.slice(0, 50)) out.push(`  ${describeFinding(f)}`);
  if (r.findings.length > 50) out.push(`  … ${r.findings.length - 50} more (--json lists all)`);
  if (r.requeued) {
    out.push(`re-queued ${r.requeued.orders} order(s) and ${r.requeued.lines} line(s) (run ${r.runId}); \`ordersync plan\` shows the repair, \`ordersync run\` makes it`);
    if (r.overwritten?.length) out.push(`${r.overwritten.length} planner edit(s) of db-owned columns will be overwritten (listed in run ${r.runId}); make a column board-owned (mapping.owners) to keep planners' values`);
  } else {
    out.push('nothing written; `ordersync verify --fix` re-queues the repairable findings for the next run');
  }
  if (r.needsAttention > 0) out.push(`${r.needsAttention} finding(s) need a person: extra or duplicated subitems, items without an order and keys on two items are never deleted by ordersync`);
  return out.join('\n');
}

function describeFinding(f: DriftFinding): string {
  const who = `${f.order_key ?? '(no key)'}${f.size ? ` size ${f.size}` : ''}`;
  const where = f.subitem_id ? `subitem ${f.subitem_id}` : f.item_id ? `item ${f.item_id}` : '';
  const what = f.column_id ? ` ${f.column_title ?? f.column_id} (${f.column_id})` : '';
  const change = f.expected !== undefined || f.board !== undefined ? `: ${JSON.stringify(f.expected ?? '')} → board ${JSON.stringify(f.board ?? '')}` : '';
  return `${LABELS[f.kind]}: ${who} ${where}${what}${change}`;
}
