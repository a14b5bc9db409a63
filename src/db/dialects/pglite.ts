import { PGlite } from '@electric-sql/pglite';
import { PGliteDialect } from 'kysely-pglite-dialect';
import { TEXT_AS_IS } from './pg-types.js';

export async function pgliteDialect(dataDir?: string): Promise<{ dialect: PGliteDialect; client: PGlite }> {
  const client = new PGlite(dataDir, { parsers: { ...TEXT_AS_IS, 20: Number, 1700: Number } });
  await client.waitReady;
  return { dialect: new PGliteDialect(client), client };
}
