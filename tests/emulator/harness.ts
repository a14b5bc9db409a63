import { afterEach } from 'vitest';
import { customerMasterScheduleSeed, startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator/index.js';

export const ITEMS_BOARD = '9000000001';
export const SUBITEMS_BOARD = '9000000002';

export interface GqlResponse {
  status: number;
  headers: Headers;
  body: any;
}

const running: RunningEmulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()));
});

/** A fresh emulator for one test (closed after it), seeded with the shipped fixture unless told otherwise. */
export async function emulator(opts: EmulatorOptions = {}): Promise<RunningEmulator & { gql: Gql }> {
  const emu = await startEmulator({ seed: customerMasterScheduleSeed(), ...opts });
  running.push(emu);
  return Object.assign(emu, { gql: client(emu) });
}

export type Gql = (query: string, variables?: Record<string, unknown>, headers?: Record<string, string>) => Promise<GqlResponse>;

export function client(emu: Pick<RunningEmulator, 'url' | 'token'>): Gql {
  return async (query, variables = {}, headers = {}) => {
    const res = await fetch(emu.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: emu.token, 'API-Version': '2026-10', ...headers },
      body: JSON.stringify({ query, variables }),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Gateways answer HTML; the test sees the raw text.
    }
    return { status: res.status, headers: res.headers, body };
  };
}

export function admin(emu: Pick<RunningEmulator, 'url' | 'token'>, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(emu.url.replace(/\/v2$/, `/__emulator${path}`), {
    method,
    headers: { Authorization: emu.token, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

export const CREATE_ITEM = `mutation ($board: ID!, $name: String!, $values: JSON, $labels: Boolean, $group: String) {
  create_item(board_id: $board, item_name: $name, column_values: $values, create_labels_if_missing: $labels, group_id: $group) { id }
}`;

export async function createItem(gql: Gql, name: string, values: Record<string, unknown> = {}, board = ITEMS_BOARD): Promise<string> {
  const r = await gql(CREATE_ITEM, { board, name, values: JSON.stringify(values) });
  if (!r.body.data?.create_item) throw new Error(`create_item failed: ${JSON.stringify(r.body)}`);
  return r.body.data.create_item.id as string;
}
