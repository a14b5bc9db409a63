import { Kind, buildSchema, valueFromASTUntyped, type GraphQLScalarType, type GraphQLSchema, type ValueNode } from 'graphql';

/**
 * The subset of monday.com's API (version 2026-10) the emulator serves. Names, argument
 * types and defaults are written to match the published SDL exactly, so a document that
 * validates here validates there; a test diffs this against the real schema.
 */
export const EMULATOR_API_VERSION = '2026-10';

export const EMULATOR_SDL = /* GraphQL */ `
scalar JSON
scalar Date
scalar ISO8601DateTime
scalar CompareValue

enum State { active all archived deleted }
enum BoardKind { private public share }
enum BoardObjectType { board custom_object document sub_items_board }
enum ColumnType {
  auto_number board_relation button checkbox color_picker country creation_log date dependency doc
  dropdown email file formula group hour integration item_assignees item_id last_updated link location
  long_text mirror numbers people phone progress rating status tags team text timeline time_tracking
  vote week world_clock unsupported name person direct_doc subtasks
}
enum PositionRelative { after_at before_at }
enum ItemsQueryOperator { or and }
enum ItemsQueryRuleOperator {
  any_of not_any_of is_empty is_not_empty greater_than greater_than_or_equals lower_than
  lower_than_or_equal between not_contains_text contains_text contains_terms starts_with ends_with
  within_the_next within_the_last
}
enum ItemsOrderByDirection { asc desc }
enum VersionKind {
  current deprecated dev maintenance old__maintenance old_previous_maintenance previous_maintenance
  release_candidate
}
enum Kind { agent person team }
enum NumberValueUnitDirection { left right }
enum JobState { PENDING RUNNING COMPLETED FAILED EXPIRED CANCELLED }

type Query {
  boards(board_kind: BoardKind, ids: [ID!], limit: Int = 25, page: Int = 1, state: State = active): [Board]
  items(exclude_nonactive: Boolean, ids: [ID!], limit: Int = 25, newest_first: Boolean, page: Int = 1): [Item]
  next_items_page(cursor: String!, limit: Int! = 25): ItemsResponse!
  items_page_by_column_values(board_id: ID!, columns: [ItemsPageByColumnValuesQuery!], cursor: String, limit: Int! = 25): ItemsResponse!
  complexity: Complexity
  me: User
  version: Version!
  versions: [Version!]
  job_status(job_id: ID!): AsyncJobStatus!
}

type Mutation {
  complexity: Complexity
  create_board(board_kind: BoardKind!, board_name: String!, description: String, empty: Boolean = false, folder_id: ID, workspace_id: ID): Board
  create_column(board_id: ID!, id: String, title: String!, description: String, after_column_id: ID, defaults: JSON, column_type: ColumnType!): Column
  create_group(board_id: ID!, group_color: String, group_name: String!, position_relative_method: PositionRelative, relative_to: String): Group
  archive_group(board_id: ID!, group_id: String!): Group
  create_item(board_id: ID!, column_values: JSON, create_labels_if_missing: Boolean, group_id: String, item_name: String!, position_relative_method: PositionRelative, relative_to: ID): Item
  create_subitem(column_values: JSON, create_labels_if_missing: Boolean, item_name: String!, parent_item_id: ID!): Item
  change_multiple_column_values(board_id: ID!, column_values: JSON!, create_labels_if_missing: Boolean, item_id: ID): Item
  change_column_value(board_id: ID!, column_id: String!, create_labels_if_missing: Boolean, item_id: ID, value: JSON!): Item
  change_simple_column_value(board_id: ID!, column_id: String!, create_labels_if_missing: Boolean, item_id: ID, value: String): Item
  move_item_to_group(group_id: String!, item_id: ID): Item
  archive_item(item_id: ID): Item
  delete_item(item_id: ID): Item
  bulk_archive_items(board_id: ID!, item_ids: [ID!]!): BulkDeleteInit
  undo_action(job_id: ID!): UndoResult
}

type Board {
  id: ID!
  name: String!
  description: String
  state: State!
  board_kind: BoardKind!
  type: BoardObjectType
  url: String!
  created_at: ISO8601DateTime
  updated_at: ISO8601DateTime
  workspace_id: ID
  items_count: Int
  items_limit: Int
  columns(ids: [String], types: [ColumnType!]): [Column]
  groups(ids: [String]): [Group]
  top_group: Group!
  items_page(cursor: String, limit: Int! = 25, query_params: ItemsQuery): ItemsResponse!
}

type Group {
  id: ID!
  title: String!
  color: String!
  position: String!
  archived: Boolean
  deleted: Boolean
  items_page(cursor: String, limit: Int! = 25, query_params: ItemsQuery): ItemsResponse!
}

type Column {
  id: ID!
  title: String!
  description: String
  type: ColumnType!
  width: Int
  archived: Boolean!
  settings: JSON
  settings_str: String! @deprecated(reason: "Use settings")
  revision: String!
}

type Item {
  id: ID!
  name: String!
  state: State
  created_at: Date
  updated_at: Date
  creator_id: String!
  url: String!
  relative_link: String
  board: Board
  group: Group
  parent_item: Item
  subitems: [Item]
  column_values(ids: [String!], types: [ColumnType!]): [ColumnValue!]!
}

type ItemsResponse {
  cursor: String
  items: [Item!]!
}

input ItemsQuery {
  groups: [ItemsQueryGroup!]
  ids: [ID!]
  operator: ItemsQueryOperator = and
  order_by: [ItemsQueryOrderBy!]
  rules: [ItemsQueryRule!]
}
input ItemsQueryGroup {
  rules: [ItemsQueryRule!]
  groups: [ItemsQueryGroup!]
  operator: ItemsQueryOperator = and
}
input ItemsQueryRule {
  column_id: ID!
  compare_value: CompareValue!
  compare_attribute: String
  operator: ItemsQueryRuleOperator = any_of
}
input ItemsQueryOrderBy {
  column_id: String!
  direction: ItemsOrderByDirection = asc
}
input ItemsPageByColumnValuesQuery {
  column_id: String!
  column_values: [String]!
}

interface ColumnValue {
  column: Column!
  id: ID!
  is_leaf: Boolean!
  text: String
  type: ColumnType!
  value: JSON
}
type TextValue implements ColumnValue { column: Column! id: ID! is_leaf: Boolean! text: String type: ColumnType! value: JSON }
type LongTextValue implements ColumnValue { column: Column! id: ID! is_leaf: Boolean! text: String type: ColumnType! value: JSON updated_at: Date }
type NumbersValue implements ColumnValue {
  column: Column! id: ID! is_leaf: Boolean! text: String type: ColumnType! value: JSON
  number: Float symbol: String direction: NumberValueUnitDirection
}
type DateValue implements ColumnValue {
  column: Column! id: ID! is_leaf: Boolean! text: String type: ColumnType! value: JSON
  date: String time: String updated_at: Date
}
type StatusValue implements ColumnValue {
  column: Column! id: ID! is_leaf: Boolean! text: String type: ColumnType! value: JSON
  index: Int label: String is_done: Boolean updated_at: Date
}
type DropdownValue implements ColumnValue {
  column: Column! id: ID! is_leaf: Boolean! text: String type: ColumnType! value: JSON
  values: [DropdownValueOption!]!
}
type DropdownValueOption { id: ID! label: String! }
type CheckboxValue implements ColumnValue {
  column: Column! id: ID! is_leaf: Boolean! text: String type: ColumnType! value: JSON
  checked: Boolean updated_at: Date
}
type LinkValue implements ColumnValue {
  column: Column! id: ID! is_leaf: Boolean! text: String type: ColumnType! value: JSON
  url: String url_text: String updated_at: Date
}
type PeopleValue implements ColumnValue {
  column: Column! id: ID! is_leaf: Boolean! text: String type: ColumnType! value: JSON
  persons_and_teams: [PeopleEntity!] updated_at: Date
}
type PeopleEntity { id: ID! kind: Kind }
type MirrorValue implements ColumnValue {
  column: Column! id: ID! is_leaf: Boolean! text: String type: ColumnType! value: JSON
  display_value: String!
}
type FormulaValue implements ColumnValue {
  column: Column! id: ID! is_leaf: Boolean! text: String type: ColumnType! value: JSON
  display_value: String!
}
type ItemIdValue implements ColumnValue {
  column: Column! id: ID! is_leaf: Boolean! text: String type: ColumnType! value: JSON
  item_id: ID!
}
type LastUpdatedValue implements ColumnValue {
  column: Column! id: ID! is_leaf: Boolean! text: String type: ColumnType! value: JSON
  updated_at: Date updater_id: ID
}
type SubtasksValue implements ColumnValue {
  column: Column! id: ID! is_leaf: Boolean! text: String type: ColumnType! value: JSON
  display_value: String! subitems_ids: [ID!]! subitems: [Item!]!
}
type BoardRelationValue implements ColumnValue {
  column: Column! id: ID! is_leaf: Boolean! text: String type: ColumnType! value: JSON
  display_value: String! linked_item_ids: [ID!]!
}

type Complexity {
  after: Int!
  before: Int!
  query: Int!
  reset_in_x_seconds: Int!
}

type Version {
  display_name: String!
  kind: VersionKind!
  value: String!
}

type User {
  id: ID!
  name: String!
  email: String!
  account_id: ID!
}

type BulkDeleteInit { job_id: ID }
type UndoResult { success: Boolean message: String }
type AsyncJobStatus {
  id: ID
  status: JobState
  created_at: String
  updated_at: String
  error: String
}
`;

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
  const schema = buildSchema(EMULATOR_SDL);
  const types = schema.getTypeMap();
  // buildSchema creates pass-through scalars; give the two with real semantics their behaviour.
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
