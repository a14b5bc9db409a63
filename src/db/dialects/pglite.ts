import { DIALECT_SETTINGS } from '../../config/index.js';
import { ConfigError } from '../../errors.js';
import type { DialectAdapter } from './adapter.js';
import { TEXT_AS_IS } from './pg-types.js';
import { postgresSql } from './postgres.js';

/**
 * PGlite is a development dependency: the installed tool neither ships nor loads it unless
 * this dialect is chosen.
 */
async function load() {
  try {
    const [{ PGlite }, { PGliteDialect }] = await Promise.all([import('@electric-sql/pglite'), import('kysely-pglite-dialect')]);
    return { PGlite, PGliteDialect };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') {
      throw new ConfigError('database.dialect = "pglite" needs @electric-sql/pglite and kysely-pglite-dialect: `npm install @electric-sql/pglite kysely-pglite-dialect` next to ordersync, or use sqlite/postgres', { cause: err });
    }
    throw err;
  }
}

/**
 * PGlite: embedded PostgreSQL (for tests and rehearsals), in a folder or in memory. It speaks
 * PostgreSQL, but it is one session inside one process: every Kysely connection shares it, so
 * a session advisory lock would be granted to a second run in the same process. The run lock
 * is therefore a lease row, as on SQLite.
 */
export const pglite: DialectAdapter = {
  ...postgresSql,
  ...DIALECT_SETTINGS.pglite,
  name: 'pglite',
  createsOnOpen: false,
  hostsJobQueue: false,
  backup: async () => {
    throw new ConfigError('backup supports sqlite and postgres; a PGlite data directory is copied while nothing runs');
  },
  async open(target) {
    const { PGlite, PGliteDialect } = await load();
    const client = new PGlite(target.path, { parsers: { ...TEXT_AS_IS, 20: Number, 1700: Number } });
    await client.waitReady;
    return {
      dialect: new PGliteDialect(client),
      close: async () => {
        if (!client.closed) await client.close();
      },
    };
  },
};
