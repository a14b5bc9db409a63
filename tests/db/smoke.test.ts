import { afterAll, describe, expect, it } from 'vitest';
import { migrateDown, migrateUp, migrationStatus } from '../../src/db/migrations/index.js';
import { ENGINES, createTestDatabase, type TestDatabase } from '../support/engines.js';

describe.each(ENGINES)('migrations on %s', (engine) => {
  const dbs: TestDatabase[] = [];
  afterAll(async () => {
    for (const t of dbs) await t.cleanup();
  });
  it('applies and reverses every step', async () => {
    const t = await createTestDatabase(engine);
    dbs.push(t);
    const db = await t.open();
    try {
      expect(await migrateUp(db)).toEqual(['applied 001_orders', 'applied 002_run_history']);
      expect((await migrationStatus(db)).every((m) => m.appliedAt)).toBe(true);
      expect(await migrateDown(db, 0)).toEqual(['reverted 002_run_history', 'reverted 001_orders']);
    } finally {
      await db.close();
    }
  });
});
