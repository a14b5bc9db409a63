import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cli.js';

const eslint = new ESLint({ cwd: REPO_ROOT });

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(REPO_ROOT, filePath) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layering lint', () => {
  it.each([
    ['src/config/planted.ts', "import { x } from '../db/connect.js';"],
    ['src/db/planted.ts', "import { x } from '../merge/merge.js';"],
    ['src/merge/planted.ts', "import { x } from '../sync/index.js';"],
    ['src/monday/planted.ts', "import { x } from '../db/connect.js';"],
    ['src/queue/planted.ts', "import { x } from '../merge/index.js';"],
    ['src/queue/planted.ts', "import { x } from '../monday/client.js';"],
    ['src/sync/planted.ts', "import { x } from '../observe/queries.js';"],
    ['src/sync/planted.ts', "import { x } from '../jobs/run.js';"],
    ['src/observe/planted.ts', "import { x } from '../checks/verify.js';"],
    ['src/observe/planted.ts', "import { x } from '../jobs/run.js';"],
    ['src/checks/planted.ts', "import { x } from '../jobs/run.js';"],
    ['src/jobs/planted.ts', "import { x } from '../serve/server.js';"],
    ['src/jobs/planted.ts', "import { x } from '../cli/main.js';"],
    ['src/serve/planted.ts', "import { x } from '../cli/render/summary.js';"],
    ['src/emulator/columns/planted.ts', "import { x } from '../../monday/client.js';"],
  ])('refuses an upward import planted in %s', async (file, code) => {
    const messages = await restrictedImports(file, `${code}\nexport const y = x;\n`);
    expect(messages.join('\n')).toMatch(/sits below these folders/);
  });

  it.each([
    ['src/sync/planted.ts', "import { x } from '../merge/index.js';"],
    ['src/observe/planted.ts', "import { x } from '../sync/index.js';"],
    ['src/jobs/planted.ts', "import { x } from '../checks/verify.js';"],
    ['src/serve/planted.ts', "import { x } from '../jobs/run.js';"],
    ['src/emulator/columns/planted.ts', "import { x } from '../model.js';"],
    ['src/cli/commands/planted.ts', "import { x } from '../../jobs/run.js';"],
  ])('allows a downward or same-folder import in %s', async (file, code) => {
    expect(await restrictedImports(file, `${code}\nexport const y = x;\n`)).toEqual([]);
  });
});

describe('docs/architecture.md', () => {
  it('names every folder under src/ in its component table', () => {
    const doc = readFileSync(join(REPO_ROOT, 'docs', 'architecture.md'), 'utf8');
    const folders = readdirSync(join(REPO_ROOT, 'src')).filter((f) => statSync(join(REPO_ROOT, 'src', f)).isDirectory());
    const missing = folders.filter((f) => !doc.includes(`| \`${f}/\``));
    expect(missing).toEqual([]);
  });
});
