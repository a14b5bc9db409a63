/**
 * What an operator should do about each error code a row (or a run) can end with. The
 * report, `status`, the dashboard and docs/operations.md all read this one table.
 */
export interface Advice {
  meaning: string;
  action: string;
}

const ADVICE: Record<string, Advice> = {
  MissingLabel: {
    meaning: 'A dropdown/status value has no matching label on the board, and label creation is off for that column.',
    action:
      'Allow label creation for that column in [monday.create_labels] (columns = { "<column id>" = true }), or add the label on the board by hand; then `ordersync retry`.',
  },
  FormatError: {
    meaning: 'A staging value cannot be written to the column type (a date that is not a date, text in a numbers column…).',
    action: 'Fix the value in the staging data upstream (the offending column and value are shown); the next run picks the corrected row up.',
  },
  ColumnValueException: {
    meaning: 'monday refused a column value (wrong shape for the column type, unknown label, value too long).',
    action:
      'Check the offending column and value against the board column settings; if the column type changed on the board, run `ordersync board snapshot` and `ordersync doctor`, then fix the staging value or the mapping and `ordersync retry`.',
  },
  InvalidColumnIdException: {
    meaning: 'The mapped column id does not exist on the board: the board changed since the mapping was written (snapshot drift).',
    action: 'Run `ordersync board snapshot` and `ordersync doctor` to see the drift, fix [mapping.columns] to the new column ids, then `ordersync retry`.',
  },
  ItemNameTooLongException: {
    meaning: 'monday refused an item name as longer than 255 characters. ordersync cuts longer names itself (mapping.item_name.overflow = "cut") and rejects them at merge under "fail", so this means monday counted differently.',
    action: 'Shorten the item name template in [mapping.item_name] or the long staging value, then `ordersync retry`.',
  },
  InvalidBoardIdException: {
    meaning: 'The board id in [monday] is wrong or the token cannot see the board.',
    action: 'Check monday.items_board_id / subitems_board_id for this environment and the token owner\'s board access (`ordersync doctor`).',
  },
  ResourceNotFoundException: {
    meaning: 'An item, subitem or group the row points at is gone from the board (deleted by hand). An item monday confirms deleted is queued as a create by the run that met it.',
    action: 'A deleted item: nothing to do, the next run creates it again with its subitems (cancel the order upstream if it was deleted on purpose). Anything else (a group, a column): check the board and the mapping, then `ordersync retry`.',
  },
  ComplexityException: {
    meaning: 'The minute complexity budget ran out; the client waits and resends, the row failed only after all retries.',
    action:
      'Nothing is lost: rows stay queued. If it repeats, lower monday.complexity_per_minute or monday.batch_size, or move the schedule away from other integrations sharing the token.',
  },
  COMPLEXITY_BUDGET_EXHAUSTED: {
    meaning: 'The minute complexity budget ran out (newer spelling of ComplexityException).',
    action: 'As ComplexityException: rows stay queued; lower monday.complexity_per_minute or batch_size if it repeats.',
  },
  RATE_LIMIT: {
    meaning: 'monday answered 429 / a per-minute rate limit and retries ran out.',
    action: 'Rows stay queued for the next run. If it repeats, lower monday.batch_size or the request rate, and check other integrations sharing the token.',
  },
  DAILY_LIMIT_EXCEEDED: {
    meaning: 'The account\'s daily API call cap is used up; the run stopped and kept the queue.',
    action: 'Wait for the reset (the run record shows when), or raise the plan\'s cap; the next scheduled run resumes. Consider fewer, larger batches (monday.batch_size).',
  },
  maxComplexityExceeded: {
    meaning: 'One request would cost more than 5M complexity points.',
    action: 'Lower monday.batch_size so each request stays under the per-request cap.',
  },
  UserUnauthorizedException: {
    meaning: 'The token is not allowed to do this (expired, revoked, or missing board permission).',
    action: 'Check the token in the variable named by monday.token_env and its owner\'s board permissions (`ordersync doctor`).',
  },
  INTERNAL_SERVER_ERROR: {
    meaning: 'monday failed (5xx) and retries ran out.',
    action: 'Usually transient: the rows stay queued and the next run retries. Check status.monday.com if it persists.',
  },
  NETWORK_ERROR: {
    meaning: 'No answer from monday (connection refused, reset or timed out) after retries.',
    action: 'Check network/proxy from this host to monday.api_url; the rows stay queued.',
  },
  InternalError: {
    meaning: 'An unexpected error in ordersync while handling the row.',
    action: 'Look at `ordersync log --order <key>` for the message and report it with the run id; `ordersync retry` after the fix.',
  },
};

const RATE_ALIASES = ['rate', 'minute_rate_limit_exceeded', 'ratelimitexceeded', 'rate limit exceeded', 'max_concurrency_exceeded', 'maxconcurrencyexceeded', 'ip_rate_limit_exceeded', 'toomanyrequests', 'field_limit_exceeded', 'field_minute_rate_limit_exceeded'];

export function adviceFor(code: string | null | undefined): Advice {
  if (!code) return { meaning: 'No error code recorded.', action: 'Look at `ordersync log --order <key>` for the row\'s history.' };
  const exact = ADVICE[code];
  if (exact) return exact;
  const lower = code.toLowerCase();
  const ci = Object.entries(ADVICE).find(([k]) => k.toLowerCase() === lower);
  if (ci) return ci[1];
  if (RATE_ALIASES.includes(lower)) return ADVICE.RATE_LIMIT!;
  // A bare HTTP 5xx from monday (or a proxy in front of it) is the same outage as monday's own code.
  if (/^http_5\d\d$/.test(lower)) return ADVICE.INTERNAL_SERVER_ERROR!;
  return {
    meaning: `monday error code ${code}.`,
    action: 'Read the message and `ordersync log --order <key>` for the request and response; fix the cause, then `ordersync retry`.',
  };
}

/** The codes with specific advice, for docs and tests. */
export function knownErrorCodes(): string[] {
  return Object.keys(ADVICE);
}
