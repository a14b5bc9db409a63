import { MondayError, FormatError, UnknownColumnError } from '../monday/index.js';
import type { RowFailure } from '../queue/index.js';

/** A dropdown/status label the board lacks while label creation is off for its column. */
export class MissingLabelError extends FormatError {
  override name = 'MissingLabelError';
}

function valueText(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 500 ? `${s.slice(0, 500)}…` : s;
}

export function failureOf(err: unknown): RowFailure {
  if (err instanceof FormatError) {
    const code = err instanceof MissingLabelError ? 'MissingLabel' : err instanceof UnknownColumnError ? 'InvalidColumnIdException' : 'FormatError';
    return { code, message: err.message, column: err.columnId, value: valueText(err.value), permanent: true };
  }
  if (err instanceof MondayError) {
    const data = err.errorData ?? {};
    const column = (data.column_id ?? data.columnId ?? null) as string | null;
    const value = data.column_value ?? data.value ?? data.column_values;
    return { code: err.code, message: err.message, column, value: valueText(value), permanent: !err.retryable };
  }
  return { code: 'InternalError', message: err instanceof Error ? err.message : String(err), column: null, value: null, permanent: false };
}
