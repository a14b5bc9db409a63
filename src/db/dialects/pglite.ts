import { PGlite } from '@electric-sql/pglite';
import { PGliteDialect } from 'kysely-pglite-dialect';

export async function pgliteDialect(dataDir?: string): Promise<{ dialect: PGliteDialect; client: PGlite }> {
  const client = dataDir ? new PGlite(dataDir) : new PGlite();
  await client.waitReady;
  return { dialect: new PGliteDialect(client), client };
}
