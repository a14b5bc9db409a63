import type { Command } from 'commander';
import { databaseTarget, notCreatedYet, migrateDown, migrateUp, migrationsFor, migrationStatus } from '../../db/index.js';
import { ExitCode } from '../../errors.js';
import { confirmWrite, loadCliConfig, print, printJson, withDb } from '../context.js';
import { nonNegativeInteger } from '../options.js';

export function registerMigrate(program: Command): void {
  const migrate = program.command('migrate').description('Apply, reverse or list schema migrations of the environment\'s database.');

  const step = (name: 'up' | 'down', description: string, toHelp: string, run: typeof migrateUp, nothing: string) =>
    migrate
      .command(name)
      .description(description)
      .option('--to <n>', toHelp, nonNegativeInteger('--to', 'a migration number'))
      .action(async (opts: { to?: number }, cmd: Command) => {
        const cfg = loadCliConfig(cmd);
        confirmWrite(cmd, cfg);
        // Only `up` may create the SQLite file; `down` on a database that is not there is an error.
        const done = await withDb(cfg, (db) => run(db, opts.to), { create: name === 'up', anySchema: true });
        print(done.length ? done.join('\n') : nothing);
      });
  step('up', 'Apply pending migrations (all, or up to --to N).', 'stop at migration number N', migrateUp, 'schema is current');
  step('down', 'Reverse the last migration, or every migration above --to N (0 = all).', 'reverse down to migration number N', migrateDown, 'nothing to reverse');

  migrate
    .command('status')
    .description('List migrations and when each was applied. Exit code 0 when the schema is current, 3 when migrations are pending (as a missing SQLite file, which it never creates); usable as a deploy gate: `ordersync migrate status || ordersync migrate up`.')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const cfg = loadCliConfig(cmd);
      const target = databaseTarget(cfg);
      const { migrations: _, ...logical } = target.tables;
      const status = notCreatedYet(target)
          ? Object.keys(migrationsFor({ dialect: target.dialect, tables: logical })).map((name) => ({ name, version: Number.parseInt(name, 10), appliedAt: null }))
          : await withDb(cfg, (db) => migrationStatus(db), { anySchema: true });
      if (opts.json) printJson(status);
      else for (const m of status) print(`${m.name.padEnd(24)} ${m.appliedAt ?? 'pending'}`);
      if (status.some((m) => m.appliedAt === null)) return ExitCode.config;
    });
}
