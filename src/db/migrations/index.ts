import { Migrator, NO_MIGRATIONS, type Migration, type MigrationResultSet } from 'kysely';
import { ConfigError, OrdersyncError } from '../../errors.js';
import type { Db, DialectName } from '../connect.js';
import type { TableNames } from '../table-names.js';
import { orders } from './001_orders.js';
import { runHistory } from './002_run_history.js';
import { valueHash } from './003_value_hash.js';
import { itemIdUnique } from './004_item_id_unique.js';
import { boardValues } from './005_board_values.js';

export interface MigrationContext {
  dialect: DialectName;
  tables: TableNames;
}

/** Versioned steps, in order; the number prefix is the version `--to N` refers to. */
export function migrationsFor(ctx: MigrationContext): Record<string, Migration> {
  return {
    '001_orders': orders(ctx),
    '002_run_history': runHistory(ctx),
    '003_value_hash': valueHash(ctx),
    '004_item_id_unique': itemIdUnique(ctx),
    '005_board_values': boardValues(ctx),
  };
}

export interface MigrationStatus {
  name: string;
  version: number;
  appliedAt: string | null;
}

function migrator(db: Db): Migrator {
  const all = migrationsFor({ dialect: db.dialect, tables: db.tables });
  return new Migrator({
    db: db.kysely,
    provider: { getMigrations: async () => all },
    migrationTableName: db.migrationTable,
    migrationLockTableName: `${db.migrationTable}_lock`,
  });
}

export async function migrationStatus(db: Db): Promise<MigrationStatus[]> {
  const infos = await migrator(db).getMigrations();
  return infos.map((m) => ({ name: m.name, version: versionOf(m.name), appliedAt: m.executedAt?.toISOString() ?? null }));
}

/** Reads only: a role that may not change the schema (docs/security.md) can ask. */
export async function pendingMigrations(db: Db): Promise<string[]> {
  return (await migrationStatus(db)).filter((m) => m.appliedAt === null).map((m) => m.name);
}

/** A command that needs the current schema refuses a stale one with this; `or` names another way out. */
export function notMigratedError(envName: string, pending: string[], or = ''): ConfigError {
  return new ConfigError(`the database schema of environment "${envName}" is not migrated (${pending.length} pending: ${pending.join(', ')}): run \`ordersync migrate up --env ${envName}\`${or}`);
}

export async function isCurrent(db: Db): Promise<boolean> {
  return (await migrationStatus(db)).every((m) => m.appliedAt !== null);
}

/** Applies pending steps up to `to` (default: all). Never reverses a step. */
export async function migrateUp(db: Db, to?: number): Promise<string[]> {
  const m = migrator(db);
  if (to === undefined) return applied(await m.migrateToLatest());
  const target = nameOf(db, to);
  // Kysely's migrateTo goes either way: `up --to 1` on a schema at 2 would drop tables.
  if (to <= (await currentVersion(db))) return [];
  return applied(await m.migrateTo(target));
}

/** Reverses steps down to version `to` (0 = everything); default one step. Never applies a step. */
export async function migrateDown(db: Db, to?: number): Promise<string[]> {
  const m = migrator(db);
  if (to === undefined) return applied(await m.migrateDown());
  const target = to === 0 ? NO_MIGRATIONS : nameOf(db, to);
  if (to >= (await currentVersion(db))) return [];
  return applied(await m.migrateTo(target));
}

async function currentVersion(db: Db): Promise<number> {
  return Math.max(0, ...(await migrationStatus(db)).filter((m) => m.appliedAt !== null).map((m) => m.version));
}

function nameOf(db: Db, version: number): string {
  const names = Object.keys(migrationsFor({ dialect: db.dialect, tables: db.tables }));
  const name = names.find((n) => versionOf(n) === version);
  if (!name) throw new OrdersyncError(`no migration version ${version} (known: ${names.join(', ')})`);
  return name;
}

function versionOf(name: string): number {
  return Number.parseInt(name.slice(0, 3), 10);
}

function applied(result: MigrationResultSet): string[] {
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    const msg = result.error instanceof Error ? result.error.message : String(result.error);
    throw new OrdersyncError(`migration ${failed?.migrationName ?? ''} failed: ${msg}`, undefined, { cause: result.error });
  }
  return (result.results ?? []).map((r) => `${r.direction === 'Up' ? 'applied' : 'reverted'} ${r.migrationName}`);
}
