import type { Command } from 'commander';
import { formatRollback, runRollback } from '../../jobs/rollback.js';
import { confirmWrite, loadCliConfig, print, printJson, withDb } from '../context.js';
import { runId } from '../options.js';

export function registerRollback(program: Command): void {
  program
    .command('rollback')
    .description('Undo one run\'s effects on the board from its journal, newest first: archive the items and subitems it created, write back the values it changed, restore what it archived with undo_action (or, once monday no longer allows the undo, create it again from the journal under the same key), list what it deleted (to restore by hand), and put the rows back to PENDING so the next run redoes the work. A killed or interrupted rollback is resumed by running the same command again (what it undid is skipped, what was in flight is looked up on the board); until then run, sync, retry and the serve schedule refuse with exit code 4. Exit codes: 0 all undone, 2 some deleted items to restore by hand, 1 a mutation failed, 4 locked or the rollback of another run to resume first.')
    .requiredOption('--run <id>', 'the run to undo (see `ordersync status`)', runId('--run'))
    .option('--dry-run', 'print what would be undone; write nothing')
    .option('--json', 'machine-readable output')
    .action(async (opts: { run: number; dryRun?: boolean; json?: boolean }, cmd: Command) => {
      const cfg = loadCliConfig(cmd);
      if (!opts.dryRun) confirmWrite(cmd, cfg);
      const result = await withDb(cfg, (db) => runRollback(db, cfg, opts.run, { dryRun: opts.dryRun }));
      if (opts.json) printJson(result);
      else print(opts.dryRun ? formatRollback(result) : `${formatRollback(result)}\nthe rows are PENDING again: the next run redoes this unless staging changes (ingest the corrected file first to keep it undone)`);
      return result.exitCode;
    });
}
