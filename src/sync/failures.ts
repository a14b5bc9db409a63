import { MondayError } from '../monday/errors.js';
import { FormatError, UnknownColumnError } from '../monday/values.js';

/** A dropdown/status label the board lacks while label creation is off for its column. */
export class MissingLabelError extends FormatError {
  override name = 'MissingLabelError';
}

export interface RowFailure {
  code: string;
  message: string;
  column: string | null;
  value: string | null;
  /** Data or request errors that resending cannot fix go straight to ERROR. */
  permanent: boolean;
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

/** Columns to write on a row that failed: ERROR past the retry limit, or at once when permanent. */
export function failureColumns(f: RowFailure, retryCount: number, limit: number) {
  const attempts = retryCount + 1;
  return {
    sync_state: f.permanent || attempts >= limit ? ('ERROR' as const) : ('PENDING' as const),
    retry_count: attempts,
    last_error_code: f.code,
    last_error: f.message.slice(0, 2000),
    idempotency_key: null,
    in_flight_since: null,
  };
}

/** Orders also keep the offending column and value, so status and reports can show them. */
export function orderFailureColumns(f: RowFailure, retryCount: number, limit: number) {
  return { ...failureColumns(f, retryCount, limit), last_error_column: f.column, last_error_value: f.value };
}
