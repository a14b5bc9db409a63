import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { settingsSchema } from '../../src/config/schema.js';
import { openDatabase } from '../../src/db/connect.js';
import { migrateUp } from '../../src/db/migrations/index.js';
import { EVENT_OUTCOMES, LINE_ACTIONS, ORDER_ACTIONS, RUN_COMMANDS, RUN_STATUSES, SYNC_STATES } from '../../src/db/types.js';
import { REPO_ROOT } from '../support/cli.js';

/** `### \`table\`` headings followed by a table whose rows start with a `column`. */
function documented(md: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current: string | undefined;
  for (const line of md.split('\n')) {
    const h = /^### `([a-z_]+)`/.exec(line);
    if (h) {
      current = h[1];
      out.set(current as string, []);
      continue;
    }
    const c = /^\| `([a-z_]+)` \|/.exec(line);
    if (current && c) out.get(current)?.push(c[1] as string);
  }
  return out;
}

describe('docs/schema.md', () => {
  const md = readFileSync(join(REPO_ROOT, 'docs', 'schema.md'), 'utf8');

  it('lists every table and column the migrations create, and nothing else', async () => {
    const db = await openDatabase({ dialect: 'sqlite', tables: settingsSchema.parse({}).database.tables });
    try {
      await migrateUp(db);
      const tables = (await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'ordersync_migrations%'`.execute(db.raw)).rows;
      const actual = new Map<string, string[]>();
      for (const { name } of tables) {
        const cols = (await sql<{ name: string }>`select name from pragma_table_info(${name}) order by cid`.execute(db.raw)).rows;
        actual.set(name, cols.map((c) => c.name));
      }
      const docs = documented(md);
      expect([...docs.keys()].sort()).toEqual([...actual.keys()].sort());
      for (const [table, cols] of actual) expect(docs.get(table), table).toEqual(cols);
      const indexes = (await sql<{ name: string }>`select name from sqlite_master where type = 'index' and name not like 'sqlite_%'`.execute(db.raw)).rows;
      for (const { name } of indexes) expect(md, `index ${name}`).toContain(`\`${name} (`);
    } finally {
      await db.close();
    }
  });

  it('lists every state of every closed set', () => {
    for (const v of [...ORDER_ACTIONS, ...LINE_ACTIONS, ...SYNC_STATES, ...RUN_STATUSES, ...EVENT_OUTCOMES]) expect(md).toContain(`\`${v}\``);
  });

  it('names every command that leaves a run record where sync_runs is introduced', () => {
    const intro = md.slice(md.indexOf('### `sync_runs`'), md.indexOf('| column |', md.indexOf('### `sync_runs`')));
    expect(RUN_COMMANDS.filter((c) => !intro.includes(`\`${c}\``))).toEqual([]);
  });
});
