import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { Kind, buildSchema, parse, visit, type ASTNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { servedSubset } from '../../src/emulator/schema.js';
import { MONDAY_API_VERSION, mondaySchemaPath, mondaySdl } from '../../src/emulator/api-schema.js';
import { schemaUsage, sentDocuments } from '../../scripts/schema-check.js';
import { repoRoot } from '../support/reference.js';

describe('vendored monday API type system', () => {
  it('lives in the repository and keeps no prose: no description, no deprecation reason', () => {
    expect(mondaySchemaPath()).toBe(resolve(repoRoot, 'src', 'monday', 'schema', `${MONDAY_API_VERSION}.graphql`));
    let prose = 0;
    visit(parse(mondaySdl()), {
      enter(node: ASTNode) {
        if ('description' in node && node.description) prose++;
        if (node.kind === Kind.DIRECTIVE && node.name.value === 'deprecated' && (node.arguments?.length ?? 0) > 0) prose++;
      },
    });
    expect(prose).toBe(0);
  });

  it('is the whole API, not the subset ordersync uses', () => {
    const schema = buildSchema(mondaySdl());
    expect(Object.keys(schema.getQueryType()!.getFields()).length).toBeGreaterThan(100);
    expect(Object.keys(schema.getMutationType()!.getFields()).length).toBeGreaterThan(200);
    expect(schema.getType('Item')!.astNode).toBeDefined();
  });

  it('the emulator refuses to serve a field or argument the real schema lacks, naming it', () => {
    const real = parse(mondaySdl());
    expect(() => servedSubset(real, { Query: ['boards(shiny)'] })).toThrow('Query.boards(shiny) is not in the monday 2026-10 schema');
    expect(() => servedSubset(real, { Query: ['bogus'] })).toThrow('Query.bogus is not in the monday 2026-10 schema');
    expect(() => servedSubset(real, { Nope: '*' })).toThrow('type Nope is not in the monday 2026-10 schema');
  });
});

describe('schema:check', () => {
  const schema = buildSchema(mondaySdl());

  it('every document validates and every use is listed with its type', () => {
    const report = schemaUsage(schema, MONDAY_API_VERSION);
    expect(report.errors).toEqual([]);
    expect(report.lines).toContain('Mutation.create_item(item_name): String!  <- MUTATION_BATCH');
    expect(report.lines.find((l) => l.startsWith('Query.boards(ids): [ID!]  <- '))).toContain('BOARD_SCHEMA_QUERY');
    expect(report.lines).toContain('input ItemsQuery.rules: [ItemsQueryRule!]');
    expect(report.lines.some((l) => l.includes('(if)')), 'directive arguments are not schema fields').toBe(false);
    expect(sentDocuments().map((d) => d.name)).toContain('MUTATION_BATCH');
  });

  it('a changed field type in the next version shows as a changed line; a removed field as an error', () => {
    const before = schemaUsage(schema, 'a').lines;
    const retyped = mondaySdl().replace(/(\ntype Board [^]*?\n {2}items_count: )Int\n/, '$1Float\n');
    const after = schemaUsage(buildSchema(retyped), 'b');
    expect(after.errors).toEqual([]);
    expect(after.lines.filter((l) => !before.includes(l))).toEqual(['Board.items_count: Float  <- BOARD_SCHEMA_QUERY']);
    const removed = schemaUsage(buildSchema(mondaySdl().replace(/(\ntype Board [^]*?)\n {2}items_limit: Int\n/, '$1\n')), 'c');
    expect(removed.errors).toEqual([expect.stringContaining('BOARD_SCHEMA_QUERY: Cannot query field "items_limit" on type "Board".')]);
  });

  it('npm run schema:check exits 0 on the vendored version and prints the report', () => {
    const tsx = createRequire(resolve(repoRoot, 'package.json')).resolve('tsx/cli');
    const out = execFileSync(process.execPath, [tsx, 'scripts/schema-check.ts'], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out).toContain('# monday API 2026-10');
    expect(out).toContain('Query.next_items_page(cursor): String!  <- NEXT_ITEMS_PAGE_QUERY');
  });
});
