import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagramEdges, LINE_TRANSITIONS, ORDER_TRANSITIONS } from '../../src/queue/transitions.js';
import { REPO_ROOT } from '../support/cli.js';

const ROW_TABLES = ['orders', 'order_lines', 'sync_events'];
const tables = ROW_TABLES.join('|');
/** Kysely writes naming a row table (aliases included), and raw SQL writes to one. */
const WRITES = [
  new RegExp(`\\.(updateTable|insertInto|deleteFrom|replaceInto|mergeInto)\\(\\s*['"\`](${tables})(\\s+as\\s+\\w+)?['"\`]`, 'g'),
  new RegExp(`\\b(update|insert\\s+(or\\s+\\w+\\s+)?into|delete\\s+from|merge\\s+into)\\s+("|\\\`)?(${tables})\\b`, 'gi'),
  new RegExp(`\\b(update|insert\\s+into|delete\\s+from)\\s+\\$\\{\\s*sql\\.(table|id)\\(\\s*['"](${tables})['"]`, 'gi'),
];

/** Where writing those tables is the job: queue/, the migrations, and the merge's bulk writer per engine. */
const ALLOWED = [/^src\/queue\//, /^src\/db\/migrations\//, /^src\/db\/dialects\/(sqlite-merge|postgres-merge|kysely-merge|merge-writer)\.ts$/];

function rowWrites(code: string): string[] {
  return WRITES.flatMap((re) => [...code.matchAll(re)].map((m) => m[0]));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return p.endsWith('.ts') ? [relative(REPO_ROOT, p).split('\\').join('/')] : [];
  });
}

function writersOutsideQueue(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const file of sourceFiles(join(REPO_ROOT, 'src'))) {
    if (ALLOWED.some((re) => re.test(file))) continue;
    const found = rowWrites(readFileSync(join(REPO_ROOT, file), 'utf8'));
    if (found.length) out.set(file, found);
  }
  return out;
}

describe('row state has one writer: src/queue/', () => {
  it.each([
    ["await trx.updateTable('orders').set({ sync_state: 'SYNCED' }).execute();"],
    ["await db.kysely.insertInto('sync_events').values(row).execute();"],
    ["await k.deleteFrom('order_lines as l').where('l.id', '=', 1).execute();"],
    ['await sql`UPDATE order_lines SET sync_state = ${s}`.execute(db);'],
    ["await sql`delete from ${sql.table('sync_events')} where run_id = ${id}`.execute(db);"],
    ['db.prepare(\'INSERT INTO "orders" (order_key) VALUES (?)\').run(k);'],
  ])('finds a planted write: %s', (code) => {
    expect(rowWrites(`export async function planted() {\n  ${code}\n}\n`)).toHaveLength(1);
  });

  it('does not take reads, other tables or prose for writes', () => {
    const code = [
      "await db.kysely.selectFrom('orders').select('id').execute();",
      "await db.kysely.updateTable('sync_runs').set({ status: 'OK' }).execute();",
      "await db.kysely.insertInto('monday_groups').values(g).execute();",
      '// the next sync updates orders that changed',
    ].join('\n');
    expect(rowWrites(code)).toEqual([]);
  });

  it('no file outside src/queue/ writes orders, order_lines or sync_events', () => {
    expect(Object.fromEntries(writersOutsideQueue())).toEqual({});
  });
});

/** An UPDATE of orders or order_lines setting the state or a monday id by hand, not through move.ts. */
const UNNAMED = /updateTable\(\s*['"](orders|order_lines)['"]\s*\)\s*\.set\(\{[^}]*\b(sync_state|monday_item_id|monday_subitem_id|monday_group_id)\b/g;
const unnamedWrites = (code: string) => [...code.matchAll(UNNAMED)].map((m) => m[0]);

describe('inside src/queue/, state and ids change only along a named transition', () => {
  it('finds a planted write of an id that names no transition', () => {
    expect(unnamedWrites("await k.updateTable('order_lines').set({ monday_subitem_id: sub, updated_at: now }).where('id', '=', id).execute();")).toHaveLength(1);
    expect(unnamedWrites("await k.updateTable('orders').set({ board_values_json: v }).where('id', '=', id).execute();")).toEqual([]);
  });

  it('no file of src/queue/ but move.ts (moveOrders, moveLines, dropLines) sets sync_state or a monday id', () => {
    const queue = sourceFiles(join(REPO_ROOT, 'src', 'queue')).filter((f) => f !== 'src/queue/move.ts');
    const found = queue.flatMap((f) => unnamedWrites(readFileSync(join(REPO_ROOT, f), 'utf8')).map((w) => `${f}: ${w}`));
    expect(found).toEqual([]);
  });
});

const ARCHITECTURE = readFileSync(join(REPO_ROOT, 'docs', 'architecture.md'), 'utf8');

/** The edges of the stateDiagram under a heading of docs/architecture.md. */
function documentedEdges(heading: string, doc = ARCHITECTURE): string[] {
  const section = doc.split(`\n### ${heading}\n`)[1] ?? '';
  const diagram = /```mermaid\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return diagram
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.includes('-->'));
}

describe('docs/architecture.md state diagrams are the transitions table', () => {
  it.each([
    ['Orders', ORDER_TRANSITIONS],
    ['Order lines', LINE_TRANSITIONS],
  ])('%s', (heading, table) => {
    expect(documentedEdges(heading).sort()).toEqual(diagramEdges(table).sort());
  });

  it('notices a planted edge the code does not take', () => {
    const planted = ARCHITECTURE.replace('stateDiagram-v2\n', 'stateDiagram-v2\n  SYNCED --> ERROR: planted\n');
    expect(documentedEdges('Orders', planted).sort()).not.toEqual(diagramEdges(ORDER_TRANSITIONS).sort());
  });
});
