import type { Kysely } from 'kysely';
import type { DialectName } from '../../../src/ingest/staging-table.js';
import { createTestDatabase, postgresAvailable, PG_ADMIN_URL, type EngineName } from '../../support/engines.js';

export interface Engine {
  name: EngineName;
  dialect: DialectName;
  db: Kysely<any>;
  close(): Promise<void>;
}

export interface EngineFactory {
  name: EngineName;
  open(): Promise<Engine>;
}

/** Each open() is a fresh, empty database on the engine (see tests/support/engines.ts). */
function factory(name: EngineName): EngineFactory {
  return {
    name,
    async open() {
      const t = await createTestDatabase(name);
      const db = await t.open();
      return {
        name,
        dialect: db.dialect,
        db: db.raw,
        close: async () => {
          await db.close();
          await t.cleanup();
        },
      };
    },
  };
}

/**
 * SQLite and PGlite always; the PostgreSQL server when it answers. With CI=true a silent server
 * is a failure, not a skip.
 */
export async function testEngines(): Promise<EngineFactory[]> {
  const factories = [factory('sqlite'), factory('pglite')];
  if (await postgresAvailable()) factories.push(factory('postgres'));
  else if (process.env.CI === 'true') throw new Error(`PostgreSQL at ${PG_ADMIN_URL} does not answer (CI=true: not skipping)`);
  return factories;
}

let tables = 0;
/** A fresh table name per test, with a space and a quote: identifiers must be quoted everywhere. */
export function tableName(): string {
  return `stg "order" list ${tables++}`;
}
