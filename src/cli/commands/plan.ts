import type { Command } from 'commander';
import { planSync, type SyncPlan } from '../../sync/plan.js';
import { loadCliConfig, print, printJson, withDb } from '../context.js';
import { formatMergeSummary } from './merge.js';

export function registerPlan(program: Command): void {
  program
    .command('plan')
    .description('Dry run: what the next `run` would change — per-action counts, estimated requests, mutations, complexity and minutes at the configured budget; per-order field diffs with --verbose. Writes nothing and never calls monday.')
    .option('--verbose', 'list every changing order with its field diffs (old → new)')
    .option('--json', 'machine-readable output (includes the per-order diffs)')
    .action(async (opts: { verbose?: boolean; json?: boolean }, cmd: Command) => {
      const cfg = loadCliConfig(cmd);
      const plan = await withDb(cfg, (db) => planSync(db, cfg.settings, { diffs: opts.verbose || opts.json }));
      if (opts.json) printJson(plan);
      else print(formatPlan(plan, Boolean(opts.verbose)));
    });
}

function formatPlan(p: SyncPlan, verbose: boolean): string {
  const e = p.estimate;
  const lines = [
    formatMergeSummary(p.merge, 10),
    `already queued: ${p.backlog.orders} orders, ${p.backlog.lines} lines`,
    `estimate: ${e.itemMutations} item and ${e.subitemMutations} subitem mutations, ${e.groupsToCreate} new groups, ~${e.requests} requests, ~${e.complexity.toLocaleString('en-US')} complexity, ~${e.minutes.toFixed(1)} min at the configured budget`,
  ];
  if (verbose) {
    for (const o of p.orders) {
      lines.push(`${o.key} [${o.outcome}] → group "${o.group}"`);
      for (const d of o.diffs) lines.push(`    ${d.field}: ${JSON.stringify(d.from ?? null)} → ${JSON.stringify(d.to)}`);
    }
  }
  return lines.join('\n');
}
