import { appendFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Measured figures per scenario, appended as JSON lines to $ORDERSYNC_RELIABILITY_FIGURES
 * (default: <tmp>/ordersync-reliability/figures.jsonl) so docs/reliability.md can be refreshed
 * from a real run. Also printed.
 */
export function recordFigures(suite: string, scenario: string, figures: Record<string, unknown>): void {
  const file = process.env.ORDERSYNC_RELIABILITY_FIGURES ?? join(tmpdir(), 'ordersync-reliability', 'figures.jsonl');
  mkdirSync(join(file, '..'), { recursive: true });
  const row = { suite, scenario, at: new Date().toISOString(), ...figures };
  appendFileSync(file, `${JSON.stringify(row)}\n`);
  console.log(`[figures] ${suite} / ${scenario}: ${JSON.stringify(figures)}`);
}
