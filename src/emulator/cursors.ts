import { randomBytes } from 'node:crypto';
import type { Clock } from './clock.js';
import { apiErrors } from './errors.js';
import type { Item, Store } from './model.js';

export const MAX_PAGE_LIMIT = 500;

interface Snapshot {
  ids: string[];
  issuedAt: number;
}

export interface Page {
  cursor: string | null;
  items: Item[];
}

/**
 * Paging over a result fixed when the first page is asked for, like monday's cursors: opaque,
 * valid for 60 (emulated) minutes from the first request, and skipping items that stopped
 * being active since.
 */
export class Cursors {
  private readonly snapshots = new Map<string, Snapshot>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {}

  first(store: Store, ids: string[], limit: number): Page {
    checkLimit(limit);
    this.sweep();
    const key = randomBytes(9).toString('base64url');
    this.snapshots.set(key, { ids, issuedAt: this.clock.now() });
    return this.page(store, key, 0, limit);
  }

  next(store: Store, cursor: string, limit: number): Page {
    checkLimit(limit);
    const [key, offset] = decode(cursor);
    const snap = key === undefined ? undefined : this.snapshots.get(key);
    if (!snap || Number.isNaN(offset)) throw apiErrors.invalidArgument('Invalid cursor', { cursor });
    if (this.clock.now() - snap.issuedAt > this.ttlMs) {
      this.snapshots.delete(key!);
      throw apiErrors.invalidArgument('The cursor has expired; start again without a cursor', { cursor });
    }
    return this.page(store, key!, offset, limit);
  }

  clear(): void {
    this.snapshots.clear();
  }

  private page(store: Store, key: string, offset: number, limit: number): Page {
    const snap = this.snapshots.get(key)!;
    const items: Item[] = [];
    let i = offset;
    for (; i < snap.ids.length && items.length < limit; i++) {
      const item = store.items.get(snap.ids[i]!);
      if (item?.state === 'active') items.push(item);
    }
    if (i >= snap.ids.length) return { cursor: null, items };
    return { cursor: encode(key, i), items };
  }

  private sweep(): void {
    const now = this.clock.now();
    for (const [key, snap] of this.snapshots) if (now - snap.issuedAt > this.ttlMs) this.snapshots.delete(key);
  }
}

function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
    throw apiErrors.invalidArgument(`limit must be between 1 and ${MAX_PAGE_LIMIT}`, { limit });
  }
}

function encode(key: string, offset: number): string {
  return Buffer.from(`1,${key},${offset}`).toString('base64');
}

function decode(cursor: string): [string | undefined, number] {
  const parts = Buffer.from(cursor, 'base64').toString('utf8').split(',');
  if (parts.length !== 3 || parts[0] !== '1') return [undefined, NaN];
  return [parts[1], Number(parts[2])];
}
