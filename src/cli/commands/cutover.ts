import type { Command } from 'commander';
import { runCutover } from '../../jobs/cutover.js';
import { confirmWrite, loadCliConfig, pageUnopened, print, printJson, withDb } from '../context.js';
import type { LogFormat } from '../../observe/progress.js';
import { parseLogFormat, positiveInteger } from '../options.js';
import { alertLines } from '../render/summary.js';

interface CutoverFlags {
  limit?: number;
  customer?: string;
  baselineOnly?: boolean;
  canaryOnly?: boolean;
  allowMassChange?: boolean;
  migrate?: boolean;
  json?: boolean;
  logFormat?: LogFormat;
}

export function registerCutover(program: Command): void {
  program
    .command('cutover')
    .description('Bring an environment live: preflight (migrations current — applied only with --migrate —, config validate --online, doctor) → baseline (merge, adopt orders already on the board by business key, write nothing to monday, list differences) → canary (--limit or --customer) → full run. Each step is a run record (cutover:preflight|baseline|canary|full); running it again resumes after the last completed step. The canary and full runs are judged, alerted (webhook) and logged as `run` is, and the cutover exits with the last one\'s code; a refused preflight posts the webhook too, with each cause and its fix, and keeps its exit code. An interrupted baseline is resumed the same way; until it finishes, run, sync, retry and the serve schedule refuse with exit code 4, so nothing not yet adopted is created twice.')
    .option('--limit <n>', 'canary: the first step syncs at most N orders', positiveInteger('--limit'))
    .option('--customer <name>', 'canary: the first step syncs only this customer')
    .option('--baseline-only', 'stop after the baseline (nothing written to monday)')
    .option('--canary-only', 'stop after the canary to inspect the board; run cutover again for the full run')
    .option('--allow-mass-change', 'let the canary/full runs exceed the [cancel] blast-radius limits')
    .option('--migrate', 'apply pending migrations first (the schema owner\'s database role); without it they stop the cutover')
    .option('--json', 'machine-readable output')
    .option('--log-format <format>', 'progress of the canary and full runs: auto (bars on a TTY, JSON logs otherwise), pretty or json; on stderr', parseLogFormat, 'auto' as LogFormat)
    .action(async (opts: CutoverFlags, cmd: Command) => {
      const cfg = loadCliConfig(cmd);
      confirmWrite(cmd, cfg);
      // Opened as every command opens it, so a database it cannot use is one line naming the setting;
      // the schema is the cutover's to check (and, with --migrate, to bring up to date).
      const result = await withDb(
        cfg,
        (db) =>
          runCutover(cfg, {
            db,
            scope: { limit: opts.limit, customer: opts.customer },
            baselineOnly: opts.baselineOnly,
            canaryOnly: opts.canaryOnly,
            allowMassChange: opts.allowMassChange,
            migrate: opts.migrate,
            logFormat: opts.logFormat,
            log: opts.json ? undefined : (line) => print(line),
          }),
        { anySchema: true, create: opts.migrate, onOpenError: (err) => pageUnopened(cfg, err) },
      );
      if (opts.json) {
        printJson(result);
      } else {
        for (const f of result.preflight?.findings ?? []) print(`  validate ${f.level}: ${f.key ? `${f.key}: ` : ''}${f.message}`);
        for (const c of result.preflight?.doctor.checks.filter((x) => x.status !== 'pass') ?? []) print(`  doctor ${c.status}: ${c.name}: ${c.message}${c.fix ? ` (fix: ${c.fix})` : ''}`);
        for (const d of result.baseline?.differences.slice(0, 50) ?? []) print(`  difference ${d.order_key}${d.size ? ` [${d.size}]` : ''}: ${d.what}: board ${JSON.stringify(d.board)} → staging ${JSON.stringify(d.staging)}`);
        if ((result.baseline?.differences.length ?? 0) > 50) print(`  … ${(result.baseline?.differences.length ?? 0) - 50} more (--json lists them all)`);
        for (const dup of result.baseline?.duplicatesOnBoard ?? []) print(`  duplicate on the board: ${dup.order_key} kept ${dup.kept}, also ${dup.others.join(', ')}`);
        for (const s of result.steps) {
          print(`${s.step.padEnd(9)} ${s.status.padEnd(8)} ${s.runId !== undefined ? `run ${s.runId}` : ''}  ${s.detail}`);
          if (s.alerts) for (const line of alertLines(s.alerts)) print(`  ${line}`);
        }
        print(result.complete ? `cutover complete (cutover run ${result.rootRunId})` : `cutover not complete (cutover run ${result.rootRunId}); run it again to resume`);
      }
      return result.exitCode;
    });
}
