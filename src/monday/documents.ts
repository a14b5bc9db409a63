/**
 * Every GraphQL document the client sends. They are constants so tests can validate each one
 * against monday's real 2026-10 SDL; values always travel in variables, never spliced in.
 */

/** Asked for on every request: it is how the pacer learns what a request really cost. */
export const COMPLEXITY_SELECTION = 'complexity { before after query reset_in_x_seconds }';

/**
 * `column_values(ids:)` narrows the (costly) column list; leaving the variable out asks for all
 * columns, because an absent variable means an absent argument. Subitems are opt-in for the same
 * reason: nested subitems are the classic way to exhaust the complexity budget.
 */
const ITEM_FIELDS_FRAGMENT = `
fragment ItemFields on Item {
  id
  name
  state
  board { id }
  group { id title }
  column_values(ids: $columnIds) { id type text value }
  subitems @include(if: $withSubitems) {
    id
    name
    state
    board { id }
    column_values(ids: $subitemColumnIds) { id type text value }
  }
}`;

const ITEM_VARIABLES = '$columnIds: [String!], $subitemColumnIds: [String!], $withSubitems: Boolean = false';

export const ME_QUERY = `
query Me {
  ${COMPLEXITY_SELECTION}
  me { id name email }
  version { value kind }
}`;

/** `settings` is the 2025-10+ object form; `settings_str` is deprecated in 2026-10. */
export const BOARD_SCHEMA_QUERY = `
query BoardSchema($boardIds: [ID!]!) {
  ${COMPLEXITY_SELECTION}
  boards(ids: $boardIds, limit: 100) {
    id
    name
    type
    items_count
    items_limit
    columns { id title type settings }
    groups { id title }
  }
}`;

export const BOARD_GROUPS_QUERY = `
query BoardGroups($boardId: ID!) {
  ${COMPLEXITY_SELECTION}
  boards(ids: [$boardId]) { id groups { id title } }
}`;

/** Whether each group still holds an active item (`items_page` lists active items only). */
export const GROUP_ITEMS_QUERY = `
query GroupItems($boardId: ID!, $groupIds: [String]) {
  ${COMPLEXITY_SELECTION}
  boards(ids: [$boardId]) { id groups(ids: $groupIds) { id title items_page(limit: 1) { items { id } } } }
}`;

export const ITEMS_BY_COLUMN_VALUES_QUERY = `
query ItemsByColumnValues($boardId: ID!, $columns: [ItemsPageByColumnValuesQuery!], $limit: Int!, ${ITEM_VARIABLES}) {
  ${COMPLEXITY_SELECTION}
  items_page_by_column_values(board_id: $boardId, columns: $columns, limit: $limit) {
    cursor
    items { ...ItemFields }
  }
}
${ITEM_FIELDS_FRAGMENT}`;

/** Cursors from both `items_page` and `items_page_by_column_values` continue here. */
export const NEXT_ITEMS_PAGE_QUERY = `
query NextItemsPage($cursor: String!, $limit: Int!, ${ITEM_VARIABLES}) {
  ${COMPLEXITY_SELECTION}
  next_items_page(cursor: $cursor, limit: $limit) {
    cursor
    items { ...ItemFields }
  }
}
${ITEM_FIELDS_FRAGMENT}`;

/** `items` defaults to 25 results, so the limit is always passed; it returns archived items too. */
export const ITEMS_BY_IDS_QUERY = `
query ItemsByIds($ids: [ID!]!, $limit: Int!, ${ITEM_VARIABLES}) {
  ${COMPLEXITY_SELECTION}
  items(ids: $ids, limit: $limit) { ...ItemFields }
}
${ITEM_FIELDS_FRAGMENT}`;

export const BOARD_ITEMS_PAGE_QUERY = `
query BoardItemsPage($boardId: ID!, $limit: Int!, $queryParams: ItemsQuery, ${ITEM_VARIABLES}) {
  ${COMPLEXITY_SELECTION}
  boards(ids: [$boardId]) {
    items_page(limit: $limit, query_params: $queryParams) {
      cursor
      items { ...ItemFields }
    }
  }
}
${ITEM_FIELDS_FRAGMENT}`;

/**
 * What planners did on the boards since a time: one page of each board's log (newest first).
 * Unfiltered by column: monday's `column_ids` filter keeps only column-value events and would
 * drop moves, archives and deletes, so the reader filters by column itself.
 */
export const ACTIVITY_LOGS_QUERY = `
query ActivityLogs($boardIds: [ID!]!, $from: ISO8601DateTime, $to: ISO8601DateTime, $limit: Int, $page: Int) {
  ${COMPLEXITY_SELECTION}
  boards(ids: $boardIds) { id activity_logs(from: $from, to: $to, limit: $limit, page: $page) { id event created_at user_id data } }
}`;

const ITEM_REF_SELECTION = 'id name state board { id } group { id }';

export interface MutationTemplate {
  /** Argument name → its GraphQL type exactly as the SDL declares it. */
  readonly args: Readonly<Record<string, string>>;
  readonly selection: string;
}

/** One per mutation the sync uses; `batch.ts` aliases them into a single document. */
export const MUTATION_TEMPLATES = {
  create_group: {
    args: {
      board_id: 'ID!',
      group_name: 'String!',
      group_color: 'String',
      relative_to: 'String',
      position_relative_method: 'PositionRelative',
    },
    selection: 'id title',
  },
  archive_group: {
    args: { board_id: 'ID!', group_id: 'String!' },
    selection: 'id title',
  },
  create_item: {
    args: {
      board_id: 'ID!',
      group_id: 'String',
      item_name: 'String!',
      column_values: 'JSON',
      create_labels_if_missing: 'Boolean',
    },
    selection: ITEM_REF_SELECTION,
  },
  create_subitem: {
    args: {
      parent_item_id: 'ID!',
      item_name: 'String!',
      column_values: 'JSON',
      create_labels_if_missing: 'Boolean',
    },
    selection: ITEM_REF_SELECTION,
  },
  change_multiple_column_values: {
    args: {
      board_id: 'ID!',
      item_id: 'ID',
      column_values: 'JSON!',
      create_labels_if_missing: 'Boolean',
    },
    selection: ITEM_REF_SELECTION,
  },
  move_item_to_group: {
    args: { item_id: 'ID', group_id: 'String!' },
    selection: ITEM_REF_SELECTION,
  },
  archive_item: {
    args: { item_id: 'ID' },
    selection: ITEM_REF_SELECTION,
  },
  delete_item: {
    args: { item_id: 'ID' },
    selection: ITEM_REF_SELECTION,
  },
  /** Archives through a job, whose id `undo_action` takes to bring the items back: the API has no unarchive. */
  bulk_archive_items: {
    args: { board_id: 'ID!', item_ids: '[ID!]!' },
    selection: 'job_id',
  },
  undo_action: {
    args: { job_id: 'ID!' },
    selection: 'success message',
  },
} as const satisfies Record<string, MutationTemplate>;

export type MutationKind = keyof typeof MUTATION_TEMPLATES;
