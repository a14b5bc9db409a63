/**
 * Application errors in monday's unified format (API 2025-01 and later): graphql-js copies
 * `extensions` from the thrown error onto the `errors[]` entry, which also gets `path` and
 * `locations`, so one failing alias becomes `data.<alias> = null` plus one error.
 */
export interface ApiErrorExtensions {
  code: string;
  status_code: number;
  error_data: Record<string, unknown>;
  [key: string]: unknown;
}

export class ApiError extends Error {
  readonly extensions: ApiErrorExtensions;
  constructor(message: string, code: string, statusCode: number, errorData: Record<string, unknown> = {}) {
    super(message);
    this.extensions = { code, status_code: statusCode, error_data: errorData };
  }
}

const DOCS = 'Please check our API documentation for the correct data structure for this column. https://developer.monday.com/api-reference/docs/change-column-values';

export const apiErrors = {
  boardNotFound: (boardId: string) => new ApiError('Board not found', 'InvalidBoardIdException', 200, { board_id: Number(boardId) }),
  itemNotFound: (itemId: string) => new ApiError('Item not found', 'ResourceNotFoundException', 404, { item_id: Number(itemId) }),
  groupNotFound: (groupId: string) => new ApiError('Group not found', 'ResourceNotFoundException', 404, { group_id: groupId }),
  lastGroup: (groupId: string) => new ApiError('A board must keep at least one group', 'DeleteLastGroupException', 409, { group_id: groupId }),
  columnNotFound: (columnId: string) =>
    new ApiError("This column ID doesn't exist for the board", 'InvalidColumnIdException', 200, { column_id: columnId }),
  columnValue: (columnId: string, columnType: string, value: unknown, reason = 'invalid value') =>
    new ApiError(`${reason}. ${DOCS}`, 'ColumnValueException', 200, { column_id: columnId, column_type: columnType, column_value: value }),
  correctedValue: (columnId: string, columnType: string, value: unknown) =>
    new ApiError(
      `This column type does not accept a simple value; send a JSON object instead. ${DOCS}`,
      'CorrectedValueException',
      200,
      { column_id: columnId, column_type: columnType, column_value: value },
    ),
  jsonParse: (argument: string) => new ApiError(`Invalid JSON in argument '${argument}'`, 'JsonParseException', 400, { argument }),
  itemName: (length: number) =>
    new ApiError('Item name must be between 1 and 255 characters', 'ItemNameTooLongException', 200, { name_length: length }),
  itemsLimit: (boardId: string, limit: number) =>
    new ApiError(`Board has reached its limit of ${limit} items`, 'ItemsLimitationException', 200, { board_id: Number(boardId), items_limit: limit }),
  invalidUser: (userId: unknown) => new ApiError('User not found', 'InvalidUserIdException', 200, { user_id: userId }),
  invalidArgument: (message: string, data: Record<string, unknown> = {}) =>
    new ApiError(message, 'InvalidArgumentException', 400, data),
  unsupportedByEmulator: (what: string) =>
    new ApiError(`${what} is not supported by the ordersync emulator`, 'InvalidArgumentException', 400, {}),
};
