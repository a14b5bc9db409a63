import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_BIN } from '../support/cli.js';
import { cliWorld, type CliWorld } from './cli-world.js';

/**
 * `ordersync run` on a pseudo-terminal (util-linux `script`), as an operator watches it: one
 * bar per phase, each drawn against the total it announced when it started (never a total
 * that grows), each ending at that total, and the pacer's waits shown on the bar. The
 * subitems phase spans several pages of lines, where the total used to grow page by page.
 */

const SCRIPT = '/usr/bin/script';
const ORDERS = 260;

interface Draw {
  phase: string;
  done: number;
  total: number;
  text: string;
}

/** Every bar drawing in the captured terminal output, in order (redraws are split on CR, LF and cursor moves). */
export function drawings(output: string): Draw[] {
  const out: Draw[] = [];
  // eslint-disable-next-line no-control-regex
  for (const piece of output.split(/\r|\n|\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]/)) {
    const m = /^(reconcile|items|subitems|merge)\s+\[[█░]+\]\s+(\d+)\/(\d+)\s+(.*)$/.exec(piece.trim());
    if (m) out.push({ phase: m[1]!, done: Number(m[2]), total: Number(m[3]), text: m[4]! });
  }
  return out;
}

describe.skipIf(!existsSync(SCRIPT))('terminal progress under a pseudo-terminal', () => {
  let w: CliWorld;
  beforeAll(async () => {
    // A budget small enough that the run has to wait for it.
    w = await cliWorld({ complexityPerMinute: 3_000_000 });
    for (const args of [['migrate', 'up'], ['gen', '--orders', String(ORDERS), '--clean', '--out', 'data'], ['ingest', 'data/staging-day0.csv', '--replace'], ['board', 'snapshot']]) {
      const r = await w.cli(args);
      if (r.code !== 0) throw new Error(`ordersync ${args.join(' ')} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
    }
  });
  afterAll(async () => {
    await w?.close();
  });

  it('no total changes after its phase starts, every bar ends at its total, waits for the budget are shown', async () => {
    const command = join(w.dir, 'run.sh');
    writeFileSync(command, `stty cols 200 rows 40\nexec "${process.execPath}" "${CLI_BIN}" --config "${w.file}" run\n`, { mode: 0o700 });
    const env: NodeJS.ProcessEnv = { ...process.env, ...w.env, ORDERSYNC_ENV: undefined, CI: undefined, TERM: 'xterm' };
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
    const child = spawn(SCRIPT, ['-qfec', `sh ${command}`, '/dev/null'], { cwd: w.dir, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, output).toBe(0);

    const draws = drawings(output);
    const phases = [...new Set(draws.map((d) => d.phase))];
    expect(phases).toEqual(['merge', 'reconcile', 'items', 'subitems']);
    for (const phase of phases) {
      const mine = draws.filter((d) => d.phase === phase);
      const totals = new Set(mine.map((d) => d.total));
      expect([...totals], `${phase} totals while it ran`).toHaveLength(1);
      const last = mine.at(-1)!;
      expect(last.done, `${phase} ends at its total`).toBe(last.total);
      expect(last.text).toMatch(/done in \d+/);
      for (let i = 1; i < mine.length; i++) expect(mine[i]!.done).toBeGreaterThanOrEqual(mine[i - 1]!.done);
    }
    const items = draws.filter((d) => d.phase === 'items').at(-1)!;
    expect(items.total).toBe(ORDERS);
    // several pages of lines (1,000 a page): the total was known before the first one
    expect(draws.find((d) => d.phase === 'subitems')!.total).toBeGreaterThan(1000);
    expect(draws.some((d) => /waiting \d+ s for the complexity budget, ETA \d/.test(d.text)), 'a pacing wait on the bar').toBe(true);
    console.log(`[progress] ${draws.length} drawings; last of each phase:\n${phases.map((p) => `  ${draws.filter((d) => d.phase === p).at(-1)!.phase} ${draws.filter((d) => d.phase === p).at(-1)!.done}/${draws.filter((d) => d.phase === p).at(-1)!.total} ${draws.filter((d) => d.phase === p).at(-1)!.text}`).join('\n')}`);
  }, 240_000);
});
