import { buildSchema, parse, validate, type GraphQLSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildMutationBatch, splitBatches, type MutationOp } from '../../src/monday/batch.js';
import * as documents from '../../src/monday/documents.js';
import { MUTATION_TEMPLATES } from '../../src/monday/documents.js';
import { realMondaySdl } from '../support/reference.js';

const sdl = realMondaySdl();

/** Every optional argument set, so each template's full argument list is checked. */
const FULL_OPS: MutationOp[] = [
  {
    kind: 'create_group',
    board_id: '9609317401',
    group_name: 'ACME FW25',
    group_color: '#037f4c',
    relative_to: 'topics',
    position_relative_method: 'after_at',
  },
  {
    kind: 'create_item',
    board_id: '9609317401',
    group_id: 'topics',
    item_name: 'SO-1',
    column_values: { text_mkr5wya6: 'SO-1', numeric_mkr5cact: '12.34' },
    create_labels_if_missing: true,
  },
  {
    kind: 'create_subitem',
    parent_item_id: '9000000001',
    item_name: 'M',
    column_values: { dropdown_mkrak7qp: { labels: ['M'] } },
    create_labels_if_missing: false,
  },
  {
    kind: 'change_multiple_column_values',
    board_id: '9609317401',
    item_id: '9000000001',
    column_values: { numeric_mkr5cact: null },
    create_labels_if_missing: false,
  },
  { kind: 'move_item_to_group', item_id: '9000000001', group_id: 'new_group' },
  { kind: 'archive_item', item_id: '9000000001' },
  { kind: 'delete_item', item_id: '9000000001' },
  { kind: 'archive_group', board_id: '9609317401', group_id: 'new_group' },
];

function validationErrors(schema: GraphQLSchema, doc: string): string[] {
  return validate(schema, parse(doc)).map((e) => e.message);
}

describe('documents against the real monday 2026-10 SDL', () => {
  const schema = buildSchema(sdl);

  const reads = Object.entries(documents as Record<string, unknown>).filter(
    (entry): entry is [string, string] => typeof entry[1] === 'string' && entry[0].endsWith('_QUERY'),
  );

  it.each(reads)('%s validates', (_name, doc) => {
    expect(validationErrors(schema, doc)).toEqual([]);
  });

  it('covers every read document', () => {
    expect(reads.map(([n]) => n).sort()).toEqual([
      'ACTIVITY_LOGS_QUERY',
      'BOARD_GROUPS_QUERY',
      'BOARD_ITEMS_PAGE_QUERY',
      'BOARD_SCHEMA_QUERY',
      'GROUP_ITEMS_QUERY',
      'ITEMS_BY_COLUMN_VALUES_QUERY',
      'ITEMS_BY_IDS_QUERY',
      'ME_QUERY',
      'NEXT_ITEMS_PAGE_QUERY',
    ]);
  });

  it.each(Object.keys(MUTATION_TEMPLATES))('template %s declares each argument with the exact SDL type', (kind) => {
    const field = schema.getMutationType()!.getFields()[kind]!;
    expect(field, `${kind} exists on Mutation`).toBeDefined();
    const sdlArgs = Object.fromEntries(field.args.map((a) => [a.name, String(a.type)]));
    for (const [arg, type] of Object.entries(MUTATION_TEMPLATES[kind as keyof typeof MUTATION_TEMPLATES].args)) {
      expect(sdlArgs[arg], `${kind}(${arg})`).toBe(type);
    }
  });

  it.each(FULL_OPS.map((op) => [op.kind, op] as const))('a batch of 20 %s ops validates', (_kind, op) => {
    const batch = buildMutationBatch(Array.from({ length: 20 }, () => op));
    expect(validationErrors(schema, batch.query)).toEqual([]);
    expect(batch.aliases).toHaveLength(20);
  });

  it('a mixed batch, with optional arguments left out, validates', () => {
    const minimal: MutationOp[] = [
      { kind: 'create_group', board_id: '1', group_name: 'G' },
      { kind: 'create_item', board_id: '1', item_name: 'SO-2' },
      { kind: 'create_subitem', parent_item_id: '2', item_name: 'L' },
    ];
    const batch = buildMutationBatch([...FULL_OPS, ...minimal]);
    expect(validationErrors(schema, batch.query)).toEqual([]);
  });

  it('no item un-archive mutation exists in 2026-10 (rollback cannot restore archived items by API)', () => {
    const names = Object.keys(schema.getMutationType()!.getFields());
    expect(names.filter((n) => /unarchive|restore_item|unarchive_item/i.test(n))).toEqual([]);
  });
});

describe('mutation batches', () => {
  it('types each variable per op and JSON-encodes column values exactly once', () => {
    const batch = buildMutationBatch([FULL_OPS[1]!, FULL_OPS[3]!]);
    expect(batch.query).toContain('$board_id_0: ID!');
    expect(batch.query).toContain('$column_values_0: JSON');
    expect(batch.query).toContain('$column_values_1: JSON!');
    expect(batch.query).toContain('op_0: create_item(');
    expect(batch.query).toContain('op_1: change_multiple_column_values(');
    expect(batch.query).toContain('complexity { before after query reset_in_x_seconds }');
    expect(batch.variables.column_values_0).toBe('{"text_mkr5wya6":"SO-1","numeric_mkr5cact":"12.34"}');
    expect(batch.variables.column_values_1).toBe('{"numeric_mkr5cact":null}');
    expect(batch.variables.item_name_0).toBe('SO-1');
    expect(batch.variables).not.toHaveProperty('group_color_0');
  });

  it('never splices values into the document text', () => {
    const batch = buildMutationBatch([{ kind: 'create_item', board_id: '1', item_name: 'x") { id } evil: delete_item(item_id: "1' }]);
    expect(batch.query).not.toContain('evil');
  });

  it('splits op lists into batches of the configured size, order kept', () => {
    const ops = Array.from({ length: 45 }, (_, i) => i);
    const batches = splitBatches(ops, 20);
    expect(batches.map((b) => b.length)).toEqual([20, 20, 5]);
    expect(batches.flat()).toEqual(ops);
    expect(() => splitBatches(ops, 0)).toThrow(RangeError);
  });
});
