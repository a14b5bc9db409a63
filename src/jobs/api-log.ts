import type { Db } from '../db/index.js';
import type { ExchangeRecord } from '../monday/index.js';

const BODY_CAP = 16_384;

function cap(text: string | undefined, token: string): string | null {
  if (text === undefined) return null;
  // The client never puts the token in bodies; this guards against monday echoing it.
  const clean = token ? text.split(token).join('[redacted]') : text;
  return clean.length > BODY_CAP ? `${clean.slice(0, BODY_CAP)}… [${clean.length - BODY_CAP} more chars]` : clean;
}

/**
 * Collects every HTTP exchange with monday for the run's API log, tagged with the order
 * keys the current request touches. Writes are queued and flushed between steps so the
 * log never holds a transaction open.
 */
export class ApiLog {
  #queue: Array<ReturnType<ApiLog['row']>> = [];
  #keys: string[] = [];

  constructor(
    private readonly db: Db,
    private readonly runId: number,
    private readonly token: string,
  ) {}

  /** The order keys the next requests concern (until changed). */
  touching(keys: string[]): void {
    this.#keys = keys;
  }

  record = (r: ExchangeRecord): void => {
    this.#queue.push(this.row(r));
  };

  private row(r: ExchangeRecord) {
    return {
      run_id: this.runId,
      request_id: r.requestId ?? null,
      idempotency_key: r.idempotencyKey ?? null,
      order_keys: this.#keys.length ? JSON.stringify(this.#keys) : null,
      operation: `${r.operationName}${r.attempt ? ` (retry ${r.attempt})` : ''}`,
      status: r.status ?? null,
      duration_ms: Math.round(r.durationMs),
      request: cap(r.requestBody, this.token),
      response: cap(r.responseBody ?? (r.error ? JSON.stringify(r.error) : undefined), this.token),
      created_at: r.startedAt,
    };
  }

  async flush(): Promise<void> {
    const rows = this.#queue;
    this.#queue = [];
    for (let i = 0; i < rows.length; i += 200) {
      await this.db.kysely.insertInto('api_log').values(rows.slice(i, i + 200)).execute();
    }
  }
}
