import { describe, expect, it } from 'vitest';
import { emulator, ITEMS_BOARD } from './harness.js';

describe('emulator transport', () => {
  it('refuses a missing or wrong token with 401', async () => {
    const emu = await emulator();
    const r = await emu.gql('{ me { id } }', {}, { Authorization: 'nope' });
    expect(r.status).toBe(401);
    expect(r.body.errors[0].extensions.code).toBe('Unauthorized');
    expect(r.body.extensions.request_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('requires an API-Version header and rejects a malformed one', async () => {
    const emu = await emulator();
    const missing = await emu.gql('{ me { id } }', {}, { 'API-Version': '' });
    expect(missing.status).toBe(400);
    expect(missing.body.errors[0].extensions.code).toBe('API_VERSION_REQUIRED');
    const malformed = await emu.gql('{ me { id } }', {}, { 'API-Version': '2023' });
    expect(malformed.status).toBe(200);
    expect(malformed.body.errors[0].extensions.code).toBe('InvalidVersionException');
  });

  it('serves current for "current" and unknown versions, echoing the version used', async () => {
    const emu = await emulator();
    const r = await emu.gql('{ version { value kind } }', {}, { 'API-Version': 'current' });
    expect(r.body.data.version).toEqual({ value: '2026-10', kind: 'current' });
    expect(r.headers.get('api-version')).toBe('2026-10');
    const unknown = await emu.gql('{ version { value } }', {}, { 'API-Version': '2024-02' });
    expect(unknown.body.data.version.value).toBe('2026-10');
  });

  it('answers every request with a request_id and RateLimit headers', async () => {
    const emu = await emulator();
    const r = await emu.gql('{ me { id name email } }');
    expect(r.status).toBe(200);
    expect(r.body.extensions.request_id).toBeTypeOf('string');
    expect(r.headers.get('ratelimit-policy')).toContain('"complexityMinute";q=10000000;w=60');
    expect(r.headers.get('ratelimit')).toMatch(/"complexityMinute";r=\d+;t=\d+/);
  });

  it('reports unknown fields the way monday does, over HTTP 200', async () => {
    const emu = await emulator();
    const r = await emu.gql(`{ boards(ids: [${ITEMS_BOARD}]) { id pos } }`);
    expect(r.status).toBe(200);
    expect(r.body.data).toBeUndefined();
    expect(r.body.errors[0]).toMatchObject({
      message: "Field 'pos' doesn't exist on type 'Board'",
      extensions: { code: 'undefinedField', typeName: 'Board', fieldName: 'pos' },
    });
  });

  it('rejects a body that is not JSON with 400 JsonParseException', async () => {
    const emu = await emulator();
    const res = await fetch(emu.url, { method: 'POST', headers: { Authorization: emu.token, 'API-Version': '2026-10' }, body: '{query:' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).errors[0].extensions.code).toBe('JsonParseException');
  });

  it('refuses column_values passed as an object rather than a JSON string', async () => {
    const emu = await emulator();
    const r = await emu.gql('mutation ($v: JSON) { create_item(board_id: 9000000001, item_name: "x", column_values: $v) { id } }', { v: { text_mkr5wya6: 'A' } });
    expect(r.body.data).toBeUndefined();
    expect(r.body.errors[0].message).toMatch(/JSON-encoded string/);
    expect(emu.store.boards.get(ITEMS_BOARD)!.items.size).toBe(0);
  });
});
