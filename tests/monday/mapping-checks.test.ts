import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { starterConfig } from '../../src/config/starter.js';
import type { BoardSnapshot } from '../../src/monday/board-schema.js';
import { MONDAY_LIMITS } from '../../src/monday/limits.js';
import { boardChecks } from '../../src/monday/mapping-checks.js';
import { formatColumnValues } from '../../src/monday/values.js';
import { labelPolicy, plannedLabels } from '../../src/sync/labels.js';

function settings() {
  const dir = mkdtempSync(join(tmpdir(), 'mapping-checks-'));
  writeFileSync(join(dir, 'ordersync.toml'), starterConfig());
  const s = structuredClone(loadConfig({ path: join(dir, 'ordersync.toml'), envVars: {} }).settings);
  s.mapping.columns = { SEASON: 'status_season' };
  s.mapping.size_column_id = 'text_size';
  s.mapping.qty_column_id = 'numbers_qty';
  s.cancel.status_column_id = undefined;
  s.monday.items_board_id = '1';
  s.monday.subitems_board_id = '2';
  s.monday.create_labels = { default: true, columns: {} };
  return s;
}

const items: BoardSnapshot = {
  board_id: '1',
  name: 'items',
  fetched_at: '2026-12-01T00:00:00.000Z',
  api_version: '2026-10',
  columns: [{ id: 'status_season', title: 'Season', type: 'status', settings: { labels: [] } }],
  groups: [],
};
const subitems: BoardSnapshot = { ...items, board_id: '2', name: 'subitems', columns: [{ id: 'text_size', title: 'Size', type: 'text' }, { id: 'numbers_qty', title: 'Qty', type: 'numbers' }] };

describe('config validate judges a status label as the run does', () => {
  // 29 letters and one emoji: 30 code points, 31 UTF-16 units; the run (and the emulator) count units.
  const label = `${'S'.repeat(MONDAY_LIMITS.maxStatusLabelLength - 1)}😀`;

  it('a label the run refuses as too long is an error in validate, naming the column', () => {
    const s = settings();
    const values = formatColumnValues(items, { status_season: label });
    if (!values.ok) throw values.errors[0];
    const run = labelPolicy({ s, labels: plannedLabels() }, values.values, items);
    expect(run).toBeInstanceOf(Error);
    const found = boardChecks({ env: 'dev', s, items, subitems, stagedValues: new Map([['SEASON', [label]]]) });
    const errors = found.filter((f) => f.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.key).toBe('mapping.columns."SEASON"');
    expect(errors[0]?.message).toContain(`longer than monday's ${MONDAY_LIMITS.maxStatusLabelLength} characters`);
  });
});
