import type { Clock } from './clock.js';

export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** monday does not cache responses over 1 MB; those run but are not replayable. */
const MAX_CACHED_BYTES = 1_000_000;

type Entry = { state: 'in_flight' } | { state: 'done'; response: StoredResponse; expiresAt: number };

export type Admission = { kind: 'new' } | { kind: 'conflict' } | { kind: 'replay'; response: StoredResponse };

/**
 * `Idempotency-Key` on mutations: the first request runs and its response is kept for 30
 * (emulated) minutes per token and key; a retry gets the same response back, and a
 * duplicate arriving while the first still runs is told to wait (409).
 */
export class IdempotencyCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {}

  begin(token: string, key: string): Admission {
    const id = `${token}\u0000${key}`;
    const entry = this.entries.get(id);
    if (entry?.state === 'in_flight') return { kind: 'conflict' };
    if (entry?.state === 'done' && entry.expiresAt > this.clock.now()) return { kind: 'replay', response: entry.response };
    this.entries.set(id, { state: 'in_flight' });
    return { kind: 'new' };
  }

  complete(token: string, key: string, response: StoredResponse): void {
    const id = `${token}\u0000${key}`;
    if (Buffer.byteLength(response.body) > MAX_CACHED_BYTES) this.entries.delete(id);
    else this.entries.set(id, { state: 'done', response, expiresAt: this.clock.now() + this.ttlMs });
  }

  /** The request never ran (refused by a limit): a retry with the key must run it. */
  abandon(token: string, key: string): void {
    this.entries.delete(`${token}\u0000${key}`);
  }

  clear(): void {
    this.entries.clear();
  }
}
