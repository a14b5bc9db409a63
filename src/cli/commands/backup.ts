import type { Command } from 'commander';
import { runBackup } from '../../jobs/backup.js';
import { loadCliConfig, print, printJson } from '../context.js';

export function registerBackup(program: Command): void {
  program
    .command('backup')
    .description(
      'Back up the environment\'s database to --out (created 0600). SQLite: an online, consistent copy (safe while a run writes). PostgreSQL: runs pg_dump (custom format, exactly ordersync\'s tables, --strict-names; the URL goes to pg_dump through libpq variables, never the command line). Restore steps: docs/deployment.md.',
    )
    .requiredOption('--out <file>', 'backup file')
    .option('--force', 'overwrite an existing file')
    .option('--print-command', 'PostgreSQL: print the pg_dump command instead of running it (to run it elsewhere)')
    .option('--json', 'machine-readable output')
    .action(async (opts: { out: string; force?: boolean; printCommand?: boolean; json?: boolean }, cmd: Command) => {
      const cfg = loadCliConfig(cmd);
      const r = await runBackup(cfg, opts.out, { force: opts.force, printCommand: opts.printCommand });
      if (opts.json) printJson(r);
      else if (r.command) print(`# run with ${cfg.settings.database.url_env} set (as a user that can read ordersync's tables):\n${r.command}`);
      else if (r.pages !== undefined) print(`backed up ${cfg.envName} to ${r.file} (${r.pages} pages)`);
      else print(`backed up ${cfg.envName} to ${r.file} (pg_dump custom format, ${r.tables?.length ?? 0} tables, ${r.bytes ?? 0} bytes); restore with pg_restore (docs/deployment.md)`);
    });
}
