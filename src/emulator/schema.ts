import {
  Kind,
  buildASTSchema,
  parse,
  valueFromASTUntyped,
  visit,
  type DefinitionNode,
  type DocumentNode,
  type FieldDefinitionNode,
  type GraphQLScalarType,
  type GraphQLSchema,
  type InputValueDefinitionNode,
  type ValueNode,
} from 'graphql';
import { MONDAY_API_VERSION, mondaySdl } from './api-schema.js';

/**
 * The emulator serves the API version ordersync's documents are written for, built from the
 * vendored SDL of that version (src/monday/schema/), so its names, types and defaults are the
 * real ones by construction.
 */
export const EMULATOR_API_VERSION = MONDAY_API_VERSION;

/**
 * What the emulator answers, cut out of the real schema: a type marked '*' is taken whole; for
 * object, interface and input types only the listed fields are kept, and `field(a b)` keeps only
 * those arguments. Anything the resolvers do not implement stays out, so a document using it
 * fails validation here instead of being silently ignored.
 */
export const SERVED: Readonly<Record<string, '*' | readonly string[]>> = {
  JSON: '*',
  Date: '*',
  ISO8601DateTime: '*',
  CompareValue: '*',
  State: '*',
  BoardKind: '*',
  BoardObjectType: '*',
  ColumnType: '*',
  PositionRelative: '*',
  ItemsQueryOperator: '*',
  ItemsQueryRuleOperator: '*',
  ItemsOrderByDirection: '*',
  VersionKind: '*',
  Kind: '*',
  NumberValueUnitDirection: '*',
  JobState: '*',
  Query: [
    'boards(board_kind ids limit page state)',
    'items(exclude_nonactive ids limit newest_first page)',
    'next_items_page(cursor limit)',
    'items_page_by_column_values(board_id columns cursor limit)',
    'complexity',
    'me',
    'version',
    'versions',
    'job_status(job_id)',
  ],
  Mutation: [
    'complexity',
    'create_board(board_kind board_name description empty folder_id workspace_id)',
    'create_column(board_id id title description after_column_id defaults column_type)',
    'create_group(board_id group_color group_name position_relative_method relative_to)',
    'archive_group(board_id group_id)',
    'create_item(board_id column_values create_labels_if_missing group_id item_name position_relative_method relative_to)',
    'create_subitem(column_values create_labels_if_missing item_name parent_item_id)',
    'change_multiple_column_values(board_id column_values create_labels_if_missing item_id)',
    'change_column_value(board_id column_id create_labels_if_missing item_id value)',
    'change_simple_column_value(board_id column_id create_labels_if_missing item_id value)',
    'move_item_to_group(group_id item_id)',
    'archive_item(item_id)',
    'delete_item(item_id)',
    'bulk_archive_items(board_id item_ids)',
    'undo_action(job_id)',
  ],
  Board: [
    'id',
    'name',
    'description',
    'state',
    'board_kind',
    'type',
    'url',
    'created_at',
    'updated_at',
    'workspace_id',
    'items_count',
    'items_limit',
    'columns(ids types)',
    'groups(ids)',
    'top_group',
    'items_page(cursor limit query_params)',
    'activity_logs(column_ids from group_ids item_ids limit page to user_ids)',
  ],
  Group: ['id', 'title', 'color', 'position', 'archived', 'deleted', 'items_page(cursor limit query_params)'],
  Column: ['id', 'title', 'description', 'type', 'width', 'archived', 'settings', 'settings_str', 'revision'],
  Item: [
    'id',
    'name',
    'state',
    'created_at',
    'updated_at',
    'creator_id',
    'url',
    'relative_link',
    'board',
    'group',
    'parent_item',
    'subitems',
    'column_values(ids types)',
  ],
  ItemsResponse: '*',
  ItemsQuery: '*',
  ItemsQueryGroup: '*',
  ItemsQueryRule: '*',
  ItemsQueryOrderBy: '*',
  ItemsPageByColumnValuesQuery: '*',
  ColumnValue: '*',
  TextValue: '*',
  LongTextValue: '*',
  NumbersValue: '*',
  DateValue: ['column', 'id', 'is_leaf', 'text', 'type', 'value', 'date', 'time', 'updated_at'],
  StatusValue: ['column', 'id', 'is_leaf', 'text', 'type', 'value', 'index', 'label', 'is_done', 'updated_at'],
  DropdownValue: '*',
  DropdownValueOption: '*',
  CheckboxValue: '*',
  LinkValue: '*',
  PeopleValue: '*',
  PeopleEntity: '*',
  MirrorValue: ['column', 'id', 'is_leaf', 'text', 'type', 'value', 'display_value'],
  FormulaValue: '*',
  ItemIdValue: '*',
  LastUpdatedValue: ['column', 'id', 'is_leaf', 'text', 'type', 'value', 'updated_at', 'updater_id'],
  SubtasksValue: '*',
  BoardRelationValue: ['column', 'id', 'is_leaf', 'text', 'type', 'value', 'display_value', 'linked_item_ids'],
  Complexity: '*',
  Version: '*',
  User: ['id', 'name', 'email', 'account_id'],
  BulkDeleteInit: '*',
  ActivityLogType: '*',
  UndoResult: '*',
  AsyncJobStatus: ['id', 'status', 'created_at', 'updated_at', 'error'],
};

function parseSelection(entry: string): { field: string; args?: string[] } {
  const m = /^(\w+)(?:\(([\w ]*)\))?$/.exec(entry);
  if (!m) throw new Error(`emulator schema: bad selection entry "${entry}"`);
  return { field: m[1]!, ...(m[2] !== undefined ? { args: m[2].split(' ').filter(Boolean) } : {}) };
}

function pick<T extends FieldDefinitionNode | InputValueDefinitionNode>(type: string, real: readonly T[], wanted: readonly string[]): T[] {
  return wanted.map((entry) => {
    const { field, args } = parseSelection(entry);
    const def = real.find((f) => f.name.value === field);
    if (!def) throw new Error(`emulator schema: ${type}.${field} is not in the monday ${MONDAY_API_VERSION} schema`);
    if (def.kind !== Kind.FIELD_DEFINITION) return def;
    const keep = (def.arguments ?? []).filter((a) => (args ?? []).includes(a.name.value));
    for (const a of args ?? []) {
      if (!keep.some((k) => k.name.value === a)) throw new Error(`emulator schema: argument ${type}.${field}(${a}) is not in the monday ${MONDAY_API_VERSION} schema`);
    }
    return { ...def, arguments: keep } as T;
  });
}

/** The served subset of a full SDL document; throws naming the first selection the SDL lacks. */
export function servedSubset(real: DocumentNode, served: Readonly<Record<string, '*' | readonly string[]>> = SERVED): DocumentNode {
  const definitions: DefinitionNode[] = [];
  const found = new Set<string>();
  for (const def of real.definitions) {
    if (def.kind === Kind.DIRECTIVE_DEFINITION || def.kind === Kind.SCHEMA_DEFINITION || !('name' in def) || !def.name) continue;
    const name = def.name.value;
    const wanted = served[name];
    if (!wanted) continue;
    found.add(name);
    if (wanted === '*') definitions.push(def);
    else if (def.kind === Kind.OBJECT_TYPE_DEFINITION || def.kind === Kind.INTERFACE_TYPE_DEFINITION) {
      const interfaces = (def.interfaces ?? []).filter((i) => served[i.name.value]);
      definitions.push({ ...def, interfaces, fields: pick(name, def.fields ?? [], wanted) });
    } else if (def.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION) definitions.push({ ...def, fields: pick(name, def.fields ?? [], wanted) });
    else throw new Error(`emulator schema: ${name} can only be served whole ('*')`);
  }
  const missing = Object.keys(served).filter((n) => !found.has(n));
  if (missing.length > 0) throw new Error(`emulator schema: type ${missing.join(', ')} is not in the monday ${MONDAY_API_VERSION} schema`);
  // monday's own directives (@cost, @listSize, @policy) describe its server, not the served shape.
  return visit({ kind: Kind.DOCUMENT, definitions }, { Directive: (d) => (d.name.value === 'deprecated' ? undefined : null) });
}

/**
 * monday's JSON scalar takes a JSON-encoded *string* on input (the resolver parses it, so a
 * parse failure is one alias's JsonParseException, not a failed request) and is emitted as-is:
 * ColumnValue.value is already a string, Column.settings an object.
 */
function jsonOnlyString(v: unknown): string {
  if (typeof v !== 'string') throw new TypeError('JSON arguments must be JSON-encoded strings');
  return v;
}

export function buildEmulatorSchema(): GraphQLSchema {
  const schema = buildASTSchema(servedSubset(parse(mondaySdl(EMULATOR_API_VERSION), { noLocation: true })));
  const types = schema.getTypeMap();
  // buildASTSchema creates pass-through scalars; give the two with real semantics their behaviour.
  Object.assign(types.JSON as GraphQLScalarType, {
    parseValue: jsonOnlyString,
    parseLiteral: (ast: ValueNode) => {
      if (ast.kind !== Kind.STRING) throw new TypeError('JSON arguments must be JSON-encoded strings');
      return ast.value;
    },
  });
  Object.assign(types.CompareValue as GraphQLScalarType, {
    parseLiteral: (ast: ValueNode, vars?: Record<string, unknown> | null) => valueFromASTUntyped(ast, vars),
  });
  return schema;
}
