import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ADMIN_PREFIX, handleAdmin } from './admin.js';
import type { FaultInjector } from './faults.js';
import { handleGraphql } from './graphql-endpoint.js';
import { send } from './http.js';
import { EmulatorInstance } from './instance.js';
import { DEFAULT_LIMITS, type EmulatorLimits } from './limits.js';
import type { Store } from './model.js';
import { StatePersistence } from './persistence.js';
import type { EmulatorSeed, StateFile } from './seed.js';
import type { MutationLogEntry } from './request-log.js';
import type { EmulatorStats } from './stats.js';

export { customerMasterScheduleSeed, asSeed } from './seed.js';
export type { EmulatorSeed, SeedBoard, SeedColumn, SeedItem, StateFile } from './seed.js';
export type { EmulatorLimits } from './limits.js';
export { DEFAULT_LIMITS } from './limits.js';
export type { FaultInjector, FaultKind, FaultOptions } from './faults.js';
export { FAULT_KINDS } from './faults.js';
export type { EmulatorStats } from './stats.js';
export type { MutationLogEntry } from './request-log.js';
export type { Board, ColumnDef, Group, Item, ItemState, Store } from './model.js';
export { EMULATOR_API_VERSION, SERVED, buildEmulatorSchema } from './schema.js';

export interface EmulatorOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (ephemeral). */
  port?: number;
  /** The accepted token; generated when omitted. */
  token?: string;
  /** 60 => a "minute" of limits lasts 1 s of wall time. Default 1. */
  timeScale?: number;
  /** Added to every /v2 request (benchmarks use ~150). */
  latencyMs?: number;
  limits?: Partial<EmulatorLimits>;
  /** Boards to create at start (and to return to on reset). Default: none. */
  seed?: EmulatorSeed;
  /**
   * Persistence: the state file and its journal are loaded at start when present (instead of
   * the seed); every write is journaled and fsynced before its answer (see persistence.ts).
   */
  statePath?: string;
}

export interface RunningEmulator {
  /** e.g. http://127.0.0.1:PORT/v2 */
  url: string;
  token: string;
  faults: FaultInjector;
  /** Direct read access to boards and items (all states), for assertions. */
  store: Store;
  stats(): EmulatorStats;
  /** Every mutation request that reached execution: when, which key, which boards (see request-log.ts). */
  mutationLog(): MutationLogEntry[];
  /** Full state, the same shape as GET /__emulator/state and the persistence file. */
  dump(): StateFile;
  /** Back to the start-up seed (or to nothing), with fresh limits, caches, faults and counters. */
  reset(options?: { empty?: boolean }): void;
  /** Move the emulated clock forward (expire cursors, idempotency keys, budget windows). */
  advanceTime(emulatedMs: number): void;
  close(): Promise<void>;
}

export async function startEmulator(opts: EmulatorOptions = {}): Promise<RunningEmulator> {
  const token = opts.token ?? `emu_${randomBytes(16).toString('hex')}`;
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const inst = new EmulatorInstance(token, limits, opts.timeScale ?? 1, opts.latencyMs ?? 0, undefined);
  const persistence = opts.statePath ? new StatePersistence(opts.statePath, inst.store) : undefined;
  const saved = persistence?.read();
  if (saved) inst.load(saved);
  else if (opts.seed) inst.useSeed(opts.seed);
  // Synchronous, and called before a write's answer is sent: the answer means it is on disk.
  if (persistence) {
    persistence.compact();
    inst.onChange = () => persistence.record();
  }

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const done = path === '/v2' ? handleGraphql(inst, req, res) : path.startsWith(`${ADMIN_PREFIX}/`) ? handleAdmin(inst, req, res, path) : undefined;
    if (!done) {
      send(res, 404, JSON.stringify({ error: 'Not found: the API is at POST /v2' }), {});
      return;
    }
    done.catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, JSON.stringify({ error: e instanceof Error ? e.message : String(e) }), {});
    });
  });
  // Keep-alive sockets would hold close() open; the emulator is local, so new connections are cheap.
  server.keepAliveTimeout = 1_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  inst.baseUrl = `http://${host}:${address.port}`;

  let closing: Promise<void> | undefined;
  const shutdown = () =>
    new Promise<void>((resolve, reject) => {
      server.close((err) => {
        persistence?.close();
        if (err) reject(err);
        else resolve();
      });
      server.closeAllConnections();
    });

  return {
    url: `${inst.baseUrl}/v2`,
    token,
    faults: inst.faults,
    store: inst.store,
    stats: () => structuredClone(inst.stats),
    mutationLog: () => structuredClone(inst.mutationLog.entries),
    dump: () => inst.dump(),
    reset: (o) => inst.reset(o?.empty === true),
    advanceTime: (ms) => inst.clock.advance(ms),
    close: () => (closing ??= shutdown()),
  };
}
