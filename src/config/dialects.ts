/**
 * How each `database.dialect` is configured: the key that says where its database is and, for
 * a server, the URL that key's variable holds. Configuration checks need this below the
 * database layer; what each engine does is its adapter's (src/db/dialects/), which reads
 * these facts from here.
 */
export const DIALECT_SETTINGS = {
  sqlite: { engine: 'SQLite', store: 'the SQLite database', location: 'sqlite_path' },
  postgres: {
    engine: 'PostgreSQL',
    store: 'the PostgreSQL database',
    location: 'url_env',
    serverUrl: { protocols: ['postgres:', 'postgresql:'], defaultPort: 5432, example: 'postgres://USER:PASSWORD@HOST:PORT/DATABASE' },
  },
  pglite: { engine: 'PGlite', store: 'the PGlite folder', location: 'pglite_path' },
  mssql: {
    engine: 'SQL Server',
    store: 'the SQL Server database',
    location: 'url_env',
    serverUrl: { protocols: ['mssql:', 'sqlserver:'], defaultPort: 1433, example: 'mssql://USER:PASSWORD@HOST:PORT/DATABASE' },
  },
} as const satisfies Record<string, DialectSettings>;

export interface DialectSettings {
  /** The engine's name in messages. */
  engine: string;
  /** What two environments must not share, in messages. */
  store: string;
  location: 'sqlite_path' | 'pglite_path' | 'url_env';
  serverUrl?: { protocols: readonly string[]; defaultPort: number; example: string };
}

export type Dialect = keyof typeof DIALECT_SETTINGS;

export const DIALECTS = Object.keys(DIALECT_SETTINGS) as [Dialect, ...Dialect[]];

export function dialectSettings(dialect: Dialect): DialectSettings {
  return DIALECT_SETTINGS[dialect];
}
