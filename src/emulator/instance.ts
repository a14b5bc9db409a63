import { type DocumentNode, type GraphQLSchema } from 'graphql';
import { ActivityLog } from './activity.js';
import { Clock } from './clock.js';
import { Cursors } from './cursors.js';
import { FaultInjector } from './faults.js';
import { IdempotencyCache } from './idempotency.js';
import { Jobs } from './jobs.js';
import { RateLimiter, type EmulatorLimits } from './limits.js';
import { Store } from './model.js';
import { buildEmulatorSchema } from './schema.js';
import { applySeed, dumpState, loadState, type EmulatorSeed, type StateFile } from './seed.js';
import { RequestLog } from './request-log.js';
import { emptyStats, type EmulatorStats } from './stats.js';

export const EMULATOR_USER = { id: '9000000000', name: 'Emulator User', email: 'emulator@ordersync.local', account_id: '9000000000' };

/** Parsed and validated documents, keyed by query text: clients resend the same few documents. */
export interface CachedDocument {
  document?: DocumentNode;
  errors?: ReadonlyArray<{ message: string; extensions?: Record<string, unknown>; locations?: unknown }>;
}

/** Everything one running emulator holds; the HTTP layer and admin routes operate on it. */
export class EmulatorInstance {
  readonly schema: GraphQLSchema = buildEmulatorSchema();
  readonly documents = new Map<string, CachedDocument>();
  readonly clock: Clock;
  readonly store: Store;
  readonly limiter: RateLimiter;
  readonly idempotency: IdempotencyCache;
  readonly cursors: Cursors;
  readonly faults = new FaultInjector();
  readonly jobs: Jobs;
  readonly activity = new ActivityLog();
  readonly people = new Set([EMULATOR_USER.id]);
  stats: EmulatorStats = emptyStats();
  readonly mutationLog = new RequestLog();
  baseUrl = '';
  /** Called after anything changed state, for persistence. */
  onChange: () => void = () => {};

  constructor(
    readonly token: string,
    readonly limits: EmulatorLimits,
    timeScale: number,
    readonly latencyMs: number,
    /** What `reset` goes back to. */
    private initialSeed: EmulatorSeed | undefined,
  ) {
    this.clock = new Clock(timeScale);
    this.store = new Store(EMULATOR_USER.id, limits.itemsPerBoard);
    this.limiter = new RateLimiter(limits, this.clock);
    this.idempotency = new IdempotencyCache(this.clock, limits.idempotencyTtlMinutes * 60_000);
    this.cursors = new Cursors(this.clock, limits.cursorTtlMinutes * 60_000);
    this.jobs = new Jobs(this.clock, limits.undoTtlMinutes * 60_000);
    if (initialSeed) this.seed(initialSeed);
  }

  /** Seeds the boards and makes this seed what `reset` returns to. */
  useSeed(seed: EmulatorSeed): void {
    this.initialSeed = seed;
    this.seed(seed);
  }

  seed(seed: EmulatorSeed): string[] {
    const boards = applySeed(this.store, seed, { knownPeople: this.people, itemExists: (id) => this.store.items.has(id) });
    this.onChange();
    return boards.map((b) => b.id);
  }

  dump(): StateFile {
    return dumpState(this.store);
  }

  load(state: StateFile): void {
    loadState(this.store, state);
    this.cursors.clear();
    this.onChange();
  }

  /** Back to the start-up seed (or nothing), with fresh limits, caches, faults and counters. */
  reset(empty = false): void {
    this.store.clear();
    this.cursors.clear();
    this.jobs.clear();
    this.activity.clear();
    this.idempotency.clear();
    this.faults.clear();
    this.limiter.reset();
    this.stats = emptyStats();
    this.mutationLog.clear();
    if (this.initialSeed && !empty) this.seed(this.initialSeed);
    this.onChange();
  }
}
