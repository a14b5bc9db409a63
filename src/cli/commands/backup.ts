import type { Command } from 'commander';
import { runBackup } from '../../ops/backup.js';
import { loadCliConfig, print, printJson } from '../context.js';

export function registerBackup(program: Command): void {
  program
    .command('backup')
    .description('Back up the environment\'s database. SQLite: an online, consistent copy to --out (safe while a run writes). PostgreSQL: prints the pg_dump command for ordersync\'s tables (the URL stays in its variable). Restore steps: docs/deployment.md.')
    .requiredOption('--out <file>', 'backup file')
    .option('--force', 'overwrite an existing file')
    .option('--json', 'machine-readable output')
    .action(async (opts: { out: string; force?: boolean; json?: boolean }, cmd: Command) => {
      const cfg = loadCliConfig(cmd);
      const r = await runBackup(cfg, opts.out, { force: opts.force });
      if (opts.json) printJson(r);
      else if (r.file) print(`backed up ${cfg.envName} to ${r.file} (${r.pages ?? 0} pages)`);
      else print(`# run with ${cfg.settings.database.url_env} set (as a user that can read ordersync's tables):\n${r.command ?? ''}`);
    });
}
