import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { generateStaging, loadStaging, type StagingColumn, type StagingRow } from '../../src/sampledata/index.js';
import { tableName, testEngines, type Engine } from '../ingest/support/engines.js';

const engines = await testEngines();

/** What a typed column hands back: SQLite REAL drops trailing zeros, PostgreSQL dates come as Date. */
function expected(column: StagingColumn, value: StagingRow[string] | undefined): unknown {
  if (value === null || value === undefined) return null;
  // ordersync's connections read NUMERIC as numbers on every engine (src/db/dialects).
  if (column.type === 'decimal') return Number(value);
  return value;
}

function actual(column: StagingColumn, value: unknown): unknown {
  return value instanceof Date ? value.toISOString().slice(0, 10) : value;
}

describe.each(engines)('loadStaging on $name', (factory) => {
  let engine: Engine | undefined;
  afterEach(async () => engine?.close());

  it('creates the table in column order with typed columns and loads every row', async () => {
    engine = await factory.open();
    const { db } = engine;
    if (engine.dialect !== 'sqlite') await sql`set timezone = 'UTC'`.execute(db);
    const table = tableName();
    const data = generateStaging({ seed: 4, orders: 200 });
    const rows = [...data.rows];
    const result = await loadStaging(db, table, data.columns, data.rows, { dialect: engine.dialect, batchSize: 1_000 });
    expect(result.rows).toBe(rows.length);

    const meta = (await db.introspection.getTables()).find((t) => t.name === table)!;
    expect(meta.columns.map((c) => c.name)).toEqual(data.columns.map((c) => c.name));
    const typeOf = (name: string) => meta.columns.find((c) => c.name === name)?.dataType.toLowerCase();
    expect(typeOf('XS')).toMatch(/^int/);
    expect(typeOf('CUSTOMER PRICE')).toMatch(engine.dialect === 'sqlite' ? /^real$/ : /^numeric$/);
    expect(typeOf('EX FACTORY DATE')).toMatch(engine.dialect === 'sqlite' ? /^text$/ : /^date$/);

    const loaded = await db.selectFrom(table).selectAll().execute();
    expect(loaded).toHaveLength(rows.length);
    const byUuid = new Map(loaded.map((r) => [r.record_uuid, r]));
    const sample = rows.filter((r) => r.record_uuid !== null).slice(0, 50);
    for (const row of sample) {
      const got = byUuid.get(row.record_uuid)!;
      for (const column of data.columns) {
        expect(actual(column, got[column.name]), column.name).toEqual(expected(column, row[column.name]));
      }
    }
  });

  it('rolls the whole load back when a row fails', async () => {
    engine = await factory.open();
    const table = tableName();
    const columns: StagingColumn[] = [{ name: 'AAG ORDER NUMBER', type: 'text' }, { name: 'TOTAL QTY', type: 'integer' }];
    const rows = [{ 'AAG ORDER NUMBER': 'A-1', 'TOTAL QTY': 1 }, { 'AAG ORDER NUMBER': 'A-2', 'TOTAL QTY': 'many' }];
    const attempt = loadStaging(engine.db, table, columns, rows, { dialect: engine.dialect, batchSize: 1 });
    if (engine.dialect === 'sqlite') {
      // SQLite keeps a text that does not look like a number in an INTEGER column: nothing to fail.
      await attempt;
      return;
    }
    await expect(attempt).rejects.toThrow();
    expect((await engine.db.introspection.getTables()).some((t) => t.name === table)).toBe(false);
  });
});
