import type { Command } from 'commander';
import { readSnapshots } from '../../monday/index.js';
import { planSync, type SyncPlan } from '../../sync/plan.js';
import { loadCliConfig, print, printJson, withDb } from '../context.js';
import { formatMergeSummary } from './merge.js';

export function registerPlan(program: Command): void {
  program
    .command('plan')
    .description('Dry run: what the next `run` would change — the merge\'s counts, then the sync\'s (decided by the run\'s own planner against the boards as the last run read them, or the snapshot files), estimated requests, mutations, complexity and minutes at the configured budget; items, field diffs and per-size quantities with --verbose. Writes nothing and never calls monday.')
    .option('--verbose', 'list every item the run sends (name, operation, group), its field diffs (old → new) and each size\'s quantity change')
    .option('--json', 'machine-readable output (includes the per-order diffs)')
    .action(async (opts: { verbose?: boolean; json?: boolean }, cmd: Command) => {
      const cfg = loadCliConfig(cmd);
      const snapshots = await readSnapshots(cfg, cfg.settings, cfg.envName);
      const plan = await withDb(cfg, (db) => planSync(db, cfg.settings, { diffs: opts.verbose || opts.json, snapshots }));
      if (opts.json) printJson(plan);
      else print(formatPlan(plan, Boolean(opts.verbose)));
    });
}

function formatPlan(p: SyncPlan, verbose: boolean): string {
  const e = p.estimate;
  const lines = [
    formatMergeSummary(p.merge, 10),
    `already queued: ${p.backlog.orders} orders, ${p.backlog.lines} lines`,
  ];
  const c = p.sync?.counts;
  if (c) {
    lines.push(
      `sync: ${c.groups_created} new groups; items ${c.items_created} created, ${c.items_updated} updated, ${c.items_cancelled} cancelled, ${c.items_archived} archived, ${c.items_unchanged} unchanged, ${c.items_failed} failing; ` +
        `subitems ${c.subitems_created} created, ${c.subitems_updated} updated, ${c.subitems_zeroed} zeroed, ${c.subitems_removed} removed, ${c.subitems_unchanged} unchanged, ${c.subitems_failed} failing`,
    );
  } else {
    lines.push('sync: no board read yet (a run, or `ordersync board snapshot`, reads it): the estimate counts the merge\'s changes');
  }
  lines.push(
    `estimate: ${e.itemMutations} item and ${e.subitemMutations} subitem mutations, ${e.groupsToCreate} new groups (${e.mutations} mutations in all), ~${e.requests} requests, ~${e.complexity.toLocaleString('en-US')} complexity, ~${e.minutes.toFixed(1)} min at the configured budget`,
  );
  if (verbose) lines.push(...verboseLines(p));
  return lines.join('\n');
}

function verboseLines(p: SyncPlan): string[] {
  const out: string[] = [];
  if (p.sync?.groupsToCreate.length) out.push(`new groups: ${p.sync.groupsToCreate.map((g) => `"${g}"`).join(', ')}`);
  const diffs = new Map(p.orders.map((o) => [o.key, o]));
  const sizes = new Map<string, string[]>();
  for (const l of p.sync?.lines ?? []) {
    if (l.operation === 'unchanged') continue;
    const text = `${l.size} ${l.from === null ? '–' : l.from} → ${l.to}${l.operation === 'failed' ? ` (fails: ${l.error})` : ''}`;
    sizes.set(l.key, [...(sizes.get(l.key) ?? []), text]);
  }
  const shown = new Set<string>();
  for (const i of p.sync?.items ?? []) {
    if (i.operation === 'unchanged' && !diffs.has(i.key) && !sizes.has(i.key)) continue;
    shown.add(i.key);
    out.push(`${i.key} "${i.name}" [${i.operation}] → group "${i.group}"${i.error ? ` (fails: ${i.error})` : ''}`);
    out.push(...orderDetail(diffs.get(i.key), sizes.get(i.key)));
  }
  for (const o of p.orders) {
    if (shown.has(o.key)) continue;
    shown.add(o.key);
    out.push(`${o.key} [${o.outcome}] → group "${o.group}"`);
    out.push(...orderDetail(o, sizes.get(o.key)));
  }
  for (const [key, list] of sizes) if (!shown.has(key)) out.push(`${key} [subitems]`, ...orderDetail(undefined, list));
  return out;
}

function orderDetail(o: SyncPlan['orders'][number] | undefined, sizes: string[] | undefined): string[] {
  return [...(o?.diffs ?? []).map((d) => `    ${d.field}: ${JSON.stringify(d.from ?? null)} → ${JSON.stringify(d.to)}`), ...(sizes?.length ? [`    sizes: ${sizes.join(', ')}`] : [])];
}
