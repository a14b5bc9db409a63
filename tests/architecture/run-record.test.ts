import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { RunCommand, SyncRunsTable } from '../../src/db/types.js';
import type { RunRecordSpec } from '../../src/queue/run-record.js';
import { REPO_ROOT } from '../support/cli.js';

const SRC = join(REPO_ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

const WRITE = /\b(insertInto|updateTable|deleteFrom)\(\s*['"](sync_runs|run_lock)['"]/;
/** A value import (not `import type`) of the record rows or the lock. */
const VALUE_IMPORT = /^import (?!type )[^;]*from '[./]*queue\/(runs|run-lock)\.js';/m;

/** Files outside src/queue/ that write a run record or the lock, or take them by hand instead of through withRunRecord. */
function violations(files: Array<{ rel: string; text: string }>): string[] {
  return files
    .filter((f) => !f.rel.startsWith('queue/') && !f.rel.startsWith('db/migrations/'))
    .filter((f) => WRITE.test(f.text) || VALUE_IMPORT.test(f.text))
    .map((f) => f.rel);
}

describe('the run record has one home (src/queue/run-record.ts)', () => {
  const files = sourceFiles(SRC).map((abs) => ({ rel: relative(SRC, abs).split(sep).join('/'), text: readFileSync(abs, 'utf8') }));

  it('no file outside src/queue/ writes sync_runs or run_lock, or starts, finishes or locks a run itself', () => {
    expect(files.some((f) => f.rel === 'queue/run-record.ts')).toBe(true);
    expect(violations(files)).toEqual([]);
  });

  it('refuses a planted violation of each kind', () => {
    const planted = [
      { rel: 'jobs/planted-write.ts', text: "await db.kysely.updateTable('sync_runs').set({ status: 'OK' }).execute();" },
      { rel: 'jobs/planted-lock.ts', text: "import { withRunLock } from '../queue/run-lock.js';" },
      { rel: 'checks/planted-start.ts', text: "import { finishRun, startRun } from '../queue/runs.js';" },
      { rel: 'jobs/planted-type.ts', text: "import type { RunLockOptions } from '../queue/run-lock.js';" },
    ];
    expect(violations(planted)).toEqual(['jobs/planted-write.ts', 'jobs/planted-lock.ts', 'checks/planted-start.ts']);
  });

  it('takes only the commands that leave a run record, one closed list (npm run typecheck checks it)', () => {
    expectTypeOf<SyncRunsTable['command']>().toEqualTypeOf<RunCommand>();
    expectTypeOf<RunRecordSpec['command']>().toEqualTypeOf<RunCommand>();
    // @ts-expect-error: `status` writes no run record
    const refused: RunRecordSpec = { env: 'prod', command: 'status' };
    expect(refused.command).toBe('status');
  });
});
