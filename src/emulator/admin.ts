import type { IncomingMessage, ServerResponse } from 'node:http';
import { FAULT_KINDS, type FaultKind, type FaultOptions } from './faults.js';
import { executeAs } from './graphql-endpoint.js';
import { readBody, send } from './http.js';
import type { EmulatorInstance } from './instance.js';
import { asSeed, type StateFile } from './seed.js';

export const ADMIN_PREFIX = '/__emulator';

/**
 * Emulator-only routes (never part of monday's API), guarded by the same token:
 *   GET    /__emulator/stats            counters
 *   GET    /__emulator/state            full state dump (the persistence format)
 *   PUT    /__emulator/state            replace state with a dump
 *   POST   /__emulator/reset            back to the start-up seed ({"empty": true}: nothing)
 *   POST   /__emulator/seed             add boards from a seed ({"boards": [...]})
 *   GET    /__emulator/faults           scheduled fault rules
 *   POST   /__emulator/faults           {"kind", "count"} or {"kind", "ratio", "seed"}, plus FaultOptions
 *   DELETE /__emulator/faults           clear fault rules
 *   POST   /__emulator/clock            {"advance_ms": n}: move the emulated clock forward
 *   POST   /__emulator/as-user          {"user_id", "query", "variables"}: run a document as another user
 *                                        (a planner's edits, moves, deletes and archives, logged as theirs)
 */
export async function handleAdmin(inst: EmulatorInstance, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const json = (status: number, body: unknown) => send(res, status, JSON.stringify(body), {});
  if (req.headers.authorization !== inst.token) return json(401, { error: 'Not Authenticated' });
  let body: any = {};
  try {
    const text = await readBody(req);
    body = text.trim() ? JSON.parse(text) : {};
  } catch {
    return json(400, { error: 'body must be JSON' });
  }
  const route = `${req.method} ${path.slice(ADMIN_PREFIX.length)}`;
  try {
    switch (route) {
      case 'GET /stats':
        return json(200, inst.stats);
      case 'GET /state':
        return json(200, inst.dump());
      case 'PUT /state':
        inst.load(body as StateFile);
        return json(200, { ok: true });
      case 'POST /reset':
        inst.reset(body.empty === true);
        return json(200, { ok: true });
      case 'POST /seed':
        return json(200, { board_ids: inst.seed(asSeed(body)) });
      case 'GET /faults':
        return json(200, { rules: inst.faults.list() });
      case 'POST /faults': {
        const { kind, count, ratio, seed, ...options } = body as { kind: FaultKind; count?: number; ratio?: number; seed?: number } & FaultOptions;
        if (!FAULT_KINDS.includes(kind)) return json(400, { error: `kind must be one of ${FAULT_KINDS.join(', ')}` });
        if (ratio !== undefined) inst.faults.share(ratio, kind, seed ?? 1, options);
        else inst.faults.next(count ?? 1, kind, options);
        return json(200, { rules: inst.faults.list() });
      }
      case 'DELETE /faults':
        inst.faults.clear();
        return json(200, { rules: [] });
      case 'POST /as-user': {
        const { user_id: userId, query, variables } = body as { user_id?: unknown; query?: unknown; variables?: Record<string, unknown> };
        if (typeof userId !== 'string' || !/^\d+$/.test(userId) || typeof query !== 'string') return json(400, { error: 'body needs "user_id" (numeric string) and "query"' });
        return json(200, await executeAs(inst, userId, query, variables ?? {}));
      }
      case 'POST /clock':
        inst.clock.advance(Number(body.advance_ms ?? 0));
        return json(200, { ok: true });
      default:
        return json(404, { error: `no admin route ${route}` });
    }
  } catch (e) {
    return json(400, { error: e instanceof Error ? e.message : String(e) });
  }
}
