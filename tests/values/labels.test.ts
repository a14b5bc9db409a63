import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/config/checks.js';
import { validateConfig } from '../../src/checks/validate.js';
import { generateStaging, type StagingRow } from '../../src/sampledata/index.js';
import { readBoard } from '../support/board.js';
import { createSyncEnv, ITEMS_BOARD, type SyncEnv } from '../support/sync-env.js';

/**
 * `config validate` says before the first run which staged values are not labels on the board
 * (read live over HTTP with --online), per status/dropdown column: an error where
 * `[monday.create_labels]` is off, a note of what the first run will create where it is on,
 * and monday's status limits (40 labels, 30 characters). The run then does what was said.
 */
describe.each(['sqlite', 'postgres'] as const)('label creation said before the first run, on %s', (engine) => {
  let env: SyncEnv;
  let findings: Finding[];
  let rows: StagingRow[];
  const about = (column: string) => findings.filter((f) => f.message.includes(column));

  beforeAll(async () => {
    env = await createSyncEnv({
      engine,
      patchConfig: (t) =>
        t
          .replace('"FINAL FOB (USD)" = "numeric_mkr5nhr7"', '"FINAL FOB (USD)" = "numeric_mkr5nhr7"\n"PLANNED DELIVERY METHOD" = "color_mkrerxrs"\n"PO NUMBER" = "color_mkrvzryf"')
          .replace('"PO NUMBER" = "text_mkr5ej2x"\n', '')
          .replace('columns = { "dropdown_mkr542p2" = true', 'columns = { "color_mkrerxrs" = true, "color_mkrvzryf" = true, "dropdown_mkr542p2" = true')
          .concat('\n[mapping.transforms]\n"PLANNED DELIVERY METHOD" = { transform = ["upper"] }\n'),
    });
    rows = [...generateStaging({ seed: 41, orders: 45, customers: 1, mess: false }).rows].map((r, i) => ({
      ...r,
      'ORDER TYPE': i === 3 ? 'WEIRD TYPE' : i === 4 ? 'received' : 'RECEIVED',
      'PO NUMBER': i === 0 ? 'P'.repeat(31) : `PO-${i}`,
      'PLANNED DELIVERY METHOD': i < 10 ? 'pending' : i < 20 ? 'SEA' : null,
    }));
    await env.load(rows);
    findings = await validateConfig(env.cfg, { online: true, envVars: { ...process.env, ...env.envVars } });
  });
  afterAll(async () => {
    await env?.close();
  });

  it('a value that is not a label, where creation is off, is an error naming the column, the value and [monday.create_labels]', () => {
    const [f, ...more] = about('dropdown_mkr518fc');
    expect(more).toEqual([]);
    expect(f?.level).toBe('error');
    expect(f?.key).toBe('mapping.columns."ORDER TYPE"');
    expect(f?.message).toContain('"WEIRD TYPE"');
    expect(f?.message).toContain('[monday.create_labels] columns = { "dropdown_mkr518fc" = true }');
    // A case-only variant of an existing label is that label (matched case-insensitively).
    expect(f?.message).not.toMatch(/received/i);
  });

  it('where creation is on, the values the first run creates are listed, after the column transforms', () => {
    const [f, ...more] = about('color_mkrerxrs');
    expect(more).toEqual([]);
    expect(f?.level).toBe('warn');
    expect(f?.message).toMatch(/^1 value\(s\) of "PLANNED DELIVERY METHOD" are not labels of color_mkrerxrs "ADD TO PLANNING" yet; the first run creates them/);
    expect(f?.message).toContain('"SEA"');
    expect(f?.message).not.toContain('PENDING');
  });

  it("monday's status limits are checked: 30 characters a label, 40 labels a column", () => {
    const status = about('color_mkrvzryf');
    expect(status.map((f) => f.level).sort()).toEqual(['error', 'error', 'warn']);
    expect(status.find((f) => /30 characters/.test(f.message))?.message).toContain(`"${'P'.repeat(31)}"`);
    expect(status.find((f) => /allows 40/.test(f.message))?.message).toMatch(/has 4 labels and "PO NUMBER" need\(s\) 44 more/);
  });

  it('the run does what validate said: labels created where allowed, the refused value fails its row only', async () => {
    const result = await env.run();
    const board = await readBoard(env.emulator, ITEMS_BOARD);
    expect(board.labels.color_mkrerxrs).toEqual(expect.arrayContaining(['PENDING', 'SEA']));
    expect(board.labels.dropdown_mkr518fc).not.toContain('WEIRD TYPE');
    const refused = await env.db.kysely.selectFrom('orders').select(['order_key', 'last_error_code']).where('sync_state', '=', 'ERROR').execute();
    expect(refused.map((o) => o.order_key)).toContain(String(rows[3]?.['AAG ORDER NUMBER']));
    expect(result.sync?.counts.items_created).toBeGreaterThan(0);
  });
});
