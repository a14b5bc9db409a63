import { MONDAY_LIMITS, FormatError, missingLabels, type FormattedValue, type BoardSnapshot } from '../monday/index.js';
import type { Settings } from '../config/index.js';
import { MissingLabelError } from './failures.js';

const { maxStatusLabels: MAX_LABELS, maxStatusLabelLength: MAX_LENGTH } = MONDAY_LIMITS;

/**
 * The planner's state across one run's (or one plan's) decisions: the status labels its
 * requests will create, per board and column (lower-cased), so the column's label limit
 * counts them before monday does.
 */
export type PlannedLabels = Map<string, Set<string>>;

export function plannedLabels(): PlannedLabels {
  return new Map();
}

/**
 * create_labels_if_missing applies to a whole mutation, so it is only sent when every
 * column that needs a new label allows creation; otherwise the row fails here, naming
 * the column and label, without spending a request.
 */
export function labelPolicy(ctx: { s: Settings; labels: PlannedLabels }, values: Record<string, FormattedValue>, board: BoardSnapshot): boolean | FormatError {
  const missing = missingLabels(board, values);
  if (missing.length === 0) return false;
  const policy = ctx.s.monday.create_labels;
  const refused = missing.find((m) => !(policy.columns[m.columnId] ?? policy.default));
  if (refused) {
    return new MissingLabelError(
      refused.columnId,
      refused.title,
      refused.type,
      refused.label,
      `label "${refused.label}" does not exist and label creation is off for this column (monday.create_labels)`,
    );
  }
  const full = statusLabelLimit(ctx.labels, board, missing);
  if (full) return full;
  return true;
}

/**
 * A status label monday cannot create (the column is full, or the text too long) fails its
 * row here with a message saying so, instead of monday's bare "invalid value".
 */
function statusLabelLimit(labels: PlannedLabels, board: BoardSnapshot, missing: ReturnType<typeof missingLabels>): FormatError | undefined {
  for (const m of missing) {
    if (m.type !== 'status') continue;
    if (m.label.length > MAX_LENGTH) {
      return new FormatError(m.columnId, m.title, m.type, m.label, `monday status labels are at most ${MAX_LENGTH} characters; this one cannot be created (use a dropdown or text column for this value)`);
    }
    const column = `${board.board_id}/${m.columnId}`;
    const planned = labels.get(column) ?? new Set<string>();
    labels.set(column, planned);
    if (planned.has(m.label.toLowerCase())) continue;
    const existing = board.columns.find((c) => c.id === m.columnId)?.settings?.labels?.length ?? 0;
    if (existing + planned.size >= MAX_LABELS) {
      return new FormatError(
        m.columnId,
        m.title,
        m.type,
        m.label,
        `the status column already has ${existing + planned.size} labels, monday's maximum is ${MAX_LABELS}: label "${m.label}" cannot be created (map this source to a dropdown or text column, or clean up labels on the board)`,
      );
    }
    planned.add(m.label.toLowerCase());
  }
  return undefined;
}
