import { InvalidArgumentError, type Command } from 'commander';
import { migrateDown, migrateUp, migrationStatus } from '../../db/migrations/index.js';
import { confirmWrite, loadCliConfig, print, printJson, withDb } from '../context.js';

function version(value: string): number {
  const n = Number.parseInt(value, 10);
  if (!Number.isInteger(n) || n < 0 || String(n) !== value.replace(/^0+(?=\d)/, '')) throw new InvalidArgumentError(`--to expects a migration number, got "${value}"`);
  return n;
}

export function registerMigrate(program: Command): void {
  const migrate = program.command('migrate').description('Apply, reverse or list schema migrations of the environment\'s database.');

  const step = (name: 'up' | 'down', description: string, toHelp: string, run: typeof migrateUp, nothing: string) =>
    migrate
      .command(name)
      .description(description)
      .option('--to <n>', toHelp, version)
      .action(async (opts: { to?: number }, cmd: Command) => {
        const cfg = loadCliConfig(cmd);
        confirmWrite(cmd, cfg);
        const done = await withDb(cfg, (db) => run(db, opts.to));
        print(done.length ? done.join('\n') : nothing);
      });
  step('up', 'Apply pending migrations (all, or up to --to N).', 'stop at migration number N', migrateUp, 'schema is current');
  step('down', 'Reverse the last migration, or every migration above --to N (0 = all).', 'reverse down to migration number N', migrateDown, 'nothing to reverse');

  migrate
    .command('status')
    .description('List migrations and when each was applied.')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const cfg = loadCliConfig(cmd);
      const status = await withDb(cfg, (db) => migrationStatus(db));
      if (opts.json) return printJson(status);
      for (const m of status) print(`${m.name.padEnd(24)} ${m.appliedAt ?? 'pending'}`);
    });
}
