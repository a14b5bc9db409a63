import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { settingsSchema } from '../../src/config/schema.js';
import { REPO_ROOT } from '../support/cli.js';

/**
 * Everything an environment points at (board ids, table names, the environment itself)
 * comes from the config. This scans src/ for literals that would pin one.
 */

/** Files allowed to hold such literals, and why. Paths relative to src/, '/'-separated. */
const EXCLUDED: Array<[RegExp, string]> = [
  [/^config\/schema\.ts$/, 'the config defaults themselves (default table names) are defined here, once'],
  [/^config\/starter\.ts$/, 'the sample config `ordersync init` writes: demo board ids and a "dev" environment'],
  [/^emulator\//, 'the monday.com stand-in (fixtures/ and the rest): the ids it serves (demo boards, its user) are the emulated server\'s own data, never read by the sync path'],
  [/^cli\/commands\/emulator\.ts$/, 'help text of `ordersync emulator` tells the user which demo board ids it seeds (to put in their config)'],
  [/^sampledata\//, 'the sample-data generator: realistic sample values for the staging table it seeds'],
];

/** Excluded from the table-name-in-SQL rule only: logical names define the schema there (TableNamesPlugin renames them). */
const SCHEMA_FILES: Array<[RegExp, string]> = [
  [/^db\/types\.ts$/, 'row types keyed by logical table name'],
  [/^db\/migrations\//, 'migrations create tables by logical name through the renaming plugin'],
];

const DEFAULTS = settingsSchema.parse({});
/** Physical names that only a config may supply: the staging table (and the legacy name it had). */
const PHYSICAL_NAMES = new Set([DEFAULTS.staging.table, 'FACT_ORDER_LIST', DEFAULTS.database.tables.migrations].map((n) => n.toLowerCase()));
/** ordersync's own tables: fine as logical names in the typed API, never inside SQL text. */
const TABLE_NAMES = Object.values(DEFAULTS.database.tables);
const ENV_NAMES = ['dev', 'prod', 'production', 'development'];

const BOARD_ID = /(^|\D)\d{10}(\D|$)/;
const SQL_TABLE_REF = new RegExp(`\\b(from|join|into|update|table)\\s+["\`]?(${TABLE_NAMES.join('|')})\\b`, 'i');
const TABLE_WORD = new RegExp(`\\b(${TABLE_NAMES.join('|')})\\b`, 'i');
const ENV_LITERAL = new RegExp(`^(${ENV_NAMES.join('|')})$`, 'i');
const ENV_IN_TEXT = new RegExp(`(--env[ =]|ORDERSYNC_ENV=|\\[env\\.|env\\.)(${ENV_NAMES.join('|')})\\b`, 'i');

export interface Violation {
  file: string;
  line: number;
  rule: 'board id' | 'physical table name' | 'table name in SQL' | 'environment name';
  text: string;
}

/** Finds the literals in one TypeScript source that pin a resource. */
export function scanSource(file: string, source: string, opts: { schemaFile?: boolean } = {}): Violation[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: Violation[] = [];
  const report = (node: ts.Node, rule: Violation['rule'], text: string) =>
    out.push({ file, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, rule, text });

  /** Whether a string sits in SQL: a sql`…` template, or an argument of sql.raw()/sql.id(). */
  const inSql = (node: ts.Node): boolean => {
    for (let p: ts.Node | undefined = node.parent; p; p = p.parent) {
      if (ts.isTaggedTemplateExpression(p)) return /^sql\b/.test(p.tag.getText(sf));
      if (ts.isCallExpression(p)) return /^sql\.(raw|id)$/.test(p.expression.getText(sf));
      if (ts.isStatement(p)) return false;
    }
    return false;
  };

  /** A comparison with process.env.NODE_ENV is about Node's mode, not an ordersync environment. */
  const comparedWithNodeEnv = (node: ts.Node): boolean => {
    const p = node.parent;
    return p !== undefined && ts.isBinaryExpression(p) && /NODE_ENV/.test(p.getText(sf));
  };

  const visit = (node: ts.Node) => {
    // Board ids are strings in monday's API and in our config; bare 10-digit numbers are
    // mostly arithmetic (2 ** 32 = 4294967296 in a PRNG), so only quoted ids are flagged.
    const isText =
      ts.isStringLiteral(node) ||
      ts.isNoSubstitutionTemplateLiteral(node) ||
      ts.isTemplateHead(node) ||
      ts.isTemplateMiddle(node) ||
      ts.isTemplateTail(node);
    if (isText) {
      const text = (node as ts.LiteralLikeNode).text;
      if (BOARD_ID.test(text)) report(node, 'board id', text);
      if (PHYSICAL_NAMES.has(text.toLowerCase())) report(node, 'physical table name', text);
      if (!opts.schemaFile && (SQL_TABLE_REF.test(text) || (inSql(node) && TABLE_WORD.test(text)))) report(node, 'table name in SQL', text);
      if ((ENV_LITERAL.test(text) && !comparedWithNodeEnv(node)) || ENV_IN_TEXT.test(text)) report(node, 'environment name', text);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.isFile() && e.name.endsWith('.ts') ? [path] : [];
  });
}

describe('src/ pins no environment resource', () => {
  const srcDir = join(REPO_ROOT, 'src');
  const files = sourceFiles(srcDir).map((abs) => ({ abs, rel: relative(srcDir, abs).split(sep).join('/') }));

  it('scans the source tree (and the exclusions match real files)', () => {
    expect(files.length).toBeGreaterThan(20);
    expect(files.some((f) => f.rel === 'queue/run-lock.ts')).toBe(true);
    for (const [re] of [...EXCLUDED, ...SCHEMA_FILES]) {
      expect(files.some((f) => re.test(f.rel)), String(re)).toBe(true);
    }
  });

  it('no board id, physical table name or environment name literal outside the config defaults', () => {
    const violations = files
      .filter((f) => !EXCLUDED.some(([re]) => re.test(f.rel)))
      .flatMap((f) => scanSource(`src/${f.rel}`, readFileSync(f.abs, 'utf8'), { schemaFile: SCHEMA_FILES.some(([re]) => re.test(f.rel)) }));
    expect(violations.map((v) => `${v.file}:${v.line}: ${v.rule}: ${JSON.stringify(v.text)}`)).toEqual([]);
  });

  it('the excluded files do hold such literals (so the exclusions are needed, and the scan can see them)', () => {
    const starter = files.find((f) => f.rel === 'config/starter.ts');
    const schema = files.find((f) => f.rel === 'config/schema.ts');
    const rules = (f: { abs: string; rel: string } | undefined) => new Set(scanSource(f?.rel ?? '', readFileSync(f?.abs ?? '', 'utf8')).map((v) => v.rule));
    expect(rules(starter)).toContain('board id');
    expect(rules(schema)).toContain('physical table name');
  });
});

describe('the scanner', () => {
  const rulesOf = (src: string, opts?: { schemaFile?: boolean }) => scanSource('x.ts', src, opts).map((v) => v.rule);

  it('flags pinned resources', () => {
    expect(rulesOf(`const board = '1234567890';`)).toEqual(['board id']);
    expect(rulesOf('const q = `items_page(board_ids: [9000000001])`;')).toEqual(['board id']);
    expect(rulesOf(`db.raw.selectFrom('staging_order_list')`)).toEqual(['physical table name']);
    expect(rulesOf(`const t = "FACT_ORDER_LIST";`)).toEqual(['physical table name']);
    expect(rulesOf('await sql`select count(*) from orders`.execute(db.raw);')).toEqual(['table name in SQL']);
    expect(rulesOf('await sql`delete from ${x} where id in (select order_id from order_lines)`.execute(db.raw);')).toEqual(['table name in SQL']);
    expect(rulesOf(`sql.raw('drop table sync_runs')`)).toEqual(['table name in SQL']);
    expect(rulesOf(`const q = 'insert into api_log (id) values (1)';`)).toEqual(['table name in SQL']);
    expect(rulesOf(`if (cfg.envName === 'prod') skip();`)).toEqual(['environment name']);
    expect(rulesOf(`const env = opts.env ?? "dev";`)).toEqual(['environment name']);
    expect(rulesOf('throw new Error(`run with --env production`);')).toEqual(['environment name']);
  });

  it('leaves config-driven code alone', () => {
    expect(rulesOf(`await db.kysely.selectFrom('orders').selectAll().execute();`)).toEqual([]);
    expect(rulesOf(`await db.kysely.deleteFrom('run_lock').where('name', '=', name).execute();`)).toEqual([]);
    expect(rulesOf('await sql`select count(*) from ${sql.table(db.tables.orders)}`.execute(db.raw);')).toEqual([]);
    expect(rulesOf(`const max = 'stop before cancelling more than this many orders';`)).toEqual([]);
    expect(rulesOf(`const board = cfg.settings.monday.items_board_id; const n = 4294967296;`)).toEqual([]);
    expect(rulesOf(`if (process.env.NODE_ENV === 'production') x();`)).toEqual([]);
    expect(rulesOf(`// the prod board 1234567890 lives in the config\nconst x = 1;`)).toEqual([]);
    expect(rulesOf('await sql`create index x on orders (a)`.execute(db);', { schemaFile: true })).toEqual([]);
  });
});

describe('the config defaults name no board', () => {
  it('no default is a monday column id (a forgotten key must not point at a column of the demo board)', () => {
    // monday column ids look like `dropdown_mkrak7qp`: a type, then a generated suffix.
    const COLUMN_ID = /^[a-z_]+_mk[a-z0-9]{3,}$/;
    const leaves: string[] = [];
    const walk = (v: unknown): void => {
      if (typeof v === 'string') leaves.push(v);
      else if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    };
    walk(DEFAULTS);
    expect(leaves.filter((s) => COLUMN_ID.test(s))).toEqual([]);
    expect(DEFAULTS.mapping.size_column_id).toBeUndefined();
    expect(DEFAULTS.mapping.qty_column_id).toBeUndefined();
  });
});
