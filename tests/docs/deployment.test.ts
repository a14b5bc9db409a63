import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { starterConfig } from '../../src/config/index.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { freshPgDatabase } from '../ops/cli-world.js';
import { PROD_BOARDS, twoBoardSeed } from '../production/support.js';
import { collect, REPO_ROOT, type CliResult } from '../support/cli.js';

/**
 * docs/deployment.md as an operator follows it: the tarball `npm pack` makes is installed with the
 * page's own line into a fresh prefix, and the cron and systemd recipes run exactly as written (only
 * their paths moved under a temporary folder) with nothing in the environment but what they set.
 */
const yaml = createRequire(import.meta.url)('js-yaml') as { loadAll(text: string): unknown[] };
const DOC = readFileSync(join(REPO_ROOT, 'docs', 'deployment.md'), 'utf8');
const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { name: string; version: string; scripts: Record<string, string> };
const TARBALL = `${pkg.name}-${pkg.version}.tgz`;

function blocks(lang: string): string[] {
  return [...DOC.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1] as string);
}
function block(lang: string, containing: string): string {
  const b = blocks(lang).find((x) => x.includes(containing));
  if (b === undefined) throw new Error(`docs/deployment.md: no ${lang} block containing ${containing}`);
  return b;
}

const INSTALL = block('sh', 'npm install -g').split('\n').find((l) => l.startsWith('npm install -g')) as string;
const CRON = block('cron', 'ordersync run');
const ENV_FILE = block('sh', '# /etc/ordersync/env');
const UNIT = block('ini', 'ordersync.service');

const root = mkdtempSync(join(tmpdir(), 'ordersync-deploy-'));
const prefix = join(root, 'prefix');
const prefixBin = join(prefix, 'bin');
const etc = join(root, 'etc', 'ordersync');
const log = join(root, 'ordersync.log');
/** Where the docs put things, and where they are here. */
const moved = (text: string) => text.replaceAll('/etc/ordersync', etc).replaceAll('/var/log/ordersync.log', log).replaceAll('/usr/local/bin', prefixBin);
/** A PATH of the docs, here: npm's global prefix usually holds node too; this one does not. */
const movedPath = (text: string) => moved(text).replace(prefixBin, `${prefixBin}${delimiter}${dirname(process.execPath)}`);

function sh(line: string, cwd: string, env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<CliResult> {
  return collect(spawn('sh', ['-c', line], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] }), timeoutMs);
}
/** The operator's shell: the installed tool on PATH, the emulator's token and the database URL set. */
let operatorEnv: NodeJS.ProcessEnv;
let emulator: RunningEmulator;
let database: Awaited<ReturnType<typeof freshPgDatabase>>;
const secrets: Record<string, string> = {};

beforeAll(async () => {
  // dist/ is fresh (tests/support/global-setup.ts), so the pack skips its prepare build (npm pack runs it).
  expect(pkg.scripts.prepare).toBe('npm run build');
  execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', root], { cwd: REPO_ROOT, stdio: 'pipe' });
  // better-sqlite3's install script takes this checkout's compiled binary as its "prebuilt" one
  // (prebuild-install's local-prebuilds, found in an .rc above the prefix) instead of compiling for minutes.
  const stage = join(root, 'stage', 'build', 'Release');
  mkdirSync(stage, { recursive: true });
  const sqlite = join(REPO_ROOT, 'node_modules', 'better-sqlite3');
  writeFileSync(join(stage, 'better_sqlite3.node'), readFileSync(join(sqlite, 'build', 'Release', 'better_sqlite3.node')));
  const version = (JSON.parse(readFileSync(join(sqlite, 'package.json'), 'utf8')) as { version: string }).version;
  mkdirSync(join(root, 'prebuilds'));
  execFileSync('tar', ['-czf', join(root, 'prebuilds', `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`), '-C', join(root, 'stage'), 'build']);
  writeFileSync(join(root, '.prebuild-installrc'), `local-prebuilds=${join(root, 'prebuilds')}\n`);
  const line = INSTALL.replace('npm install -g', `npm install -g --prefix ${prefix} --prefer-offline --no-audit --no-fund`);
  // A CI leg on another Node exports npm_config_build_from_source for its own npm ci (.ci/node-leg);
  // left set, it skips the local prebuilt and compiles better-sqlite3 again, past the timeout under load.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.toLowerCase().replaceAll('-', '_') !== 'npm_config_build_from_source'));
  const r = await sh(line, root, env, 240_000);
  expect(r.code, r.stdout + r.stderr).toBe(0);

  emulator = await startEmulator({ timeScale: 60, seed: twoBoardSeed() });
  database = await freshPgDatabase();
  const url = new URL(database.url);
  url.search = '?sslmode=disable&application_name=ordersync-cron';
  secrets.MONDAY_PROD_TOKEN = emulator.token;
  secrets.ORDERSYNC_PROD_DATABASE_URL = url.toString();
  mkdirSync(etc, { recursive: true });
  writeFileSync(
    join(etc, 'ordersync.toml'),
    `${starterConfig({ apiUrl: emulator.url, complexityPerMinute: 600_000_000 })}
[env.prod]
protected = true
[env.prod.database]
dialect = "postgres"
url_env = "ORDERSYNC_PROD_DATABASE_URL"
[env.prod.monday]
token_env = "MONDAY_PROD_TOKEN"
items_board_id = "${PROD_BOARDS.items}"
subitems_board_id = "${PROD_BOARDS.subitems}"
`,
    { mode: 0o600 },
  );
  operatorEnv = { ...process.env, PATH: `${prefixBin}${delimiter}${process.env.PATH ?? ''}`, ...secrets, ORDERSYNC_ENV: undefined, ORDERSYNC_CONFIG: undefined, CI: undefined };
  for (const args of ['migrate up --env prod --yes', 'gen --orders 12 --clean --out data', 'ingest data/staging-day0.csv --env prod --yes --replace', 'board snapshot --env prod']) {
    const x = await sh(`ordersync ${args}`, etc, operatorEnv);
    expect(x.code === 0 || (x.code === 2 && args.startsWith('ingest')), `${args}: ${x.stdout}${x.stderr}`).toBe(true);
  }
  // The env file as the page shows it: its names, its quoting, this test's values.
  const envFile = ENV_FILE.split('\n')
    .map((l) => {
      const m = /^([A-Z_]+)=('?)/.exec(l);
      if (!m) return l;
      const value = secrets[m[1] as string];
      if (value === undefined) throw new Error(`docs/deployment.md env file names ${m[1]}, which the test does not know`);
      return `${m[1]}=${m[2]}${value}${m[2]}`;
    })
    .join('\n');
  writeFileSync(join(etc, 'env'), envFile, { mode: 0o600 });
}, 360_000);

afterAll(async () => {
  await emulator?.close().catch(() => undefined);
  await database?.drop();
  // The prefix holds a full install (~120 MB): removing it takes a while on a busy disk.
  rmSync(root, { recursive: true, force: true });
}, 180_000);

async function lastRun(): Promise<{ id: number; command: string; status: string }> {
  const r = await sh('ordersync status --env prod --json', etc, operatorEnv);
  expect(r.code, r.stderr).toBe(0);
  const runs = (JSON.parse(r.stdout) as { runs: Array<{ id: number; command: string; status: string }> }).runs;
  return runs[0] ?? { id: 0, command: '', status: '' };
}

describe('install (section 1)', () => {
  it('the tarball installs globally; --version, init and demo run from an empty folder, without tsx or PGlite', async () => {
    const installed = join(prefix, 'lib', 'node_modules', pkg.name);
    expect(existsSync(join(prefixBin, 'ordersync'))).toBe(true);
    for (const dev of ['tsx', '@electric-sql/pglite', 'vitest', 'typescript']) expect(existsSync(join(installed, 'node_modules', dev)), dev).toBe(false);
    const empty = join(root, 'empty');
    mkdirSync(empty);
    const env = { ...operatorEnv, MONDAY_PROD_TOKEN: undefined, ORDERSYNC_PROD_DATABASE_URL: undefined };
    const version = await sh('ordersync --version', empty, env);
    expect(version.stdout).toContain(`ordersync ${pkg.version}`);
    const init = await sh('ordersync init', empty, env);
    expect(init.code, init.stderr).toBe(0);
    expect(existsSync(join(empty, 'ordersync.toml'))).toBe(true);
    const demo = await sh('ordersync demo --orders 10 --dir demo', empty, env, 120_000);
    expect(demo.code === 0 || demo.code === 2, demo.stdout + demo.stderr).toBe(true);
    expect(demo.stdout).toMatch(/^next:/m);
  }, 180_000);
});

describe('schedule recipes (section 6)', () => {
  it('cron: the line runs as written under env -i, with the env file the page shows', async () => {
    const vars = CRON.split('\n').filter((l) => /^[A-Z_]+=/.test(l));
    const job = CRON.split('\n').find((l) => /^[\d*]/.test(l)) as string;
    const command = job.split(/\s+/).slice(6).join(' ');
    const before = await lastRun();
    const r = await collect(spawn('env', ['-i', ...vars.map(movedPath), 'sh', '-c', moved(command)], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] }), 90_000);
    expect(r.code, `${r.stdout}${r.stderr}${existsSync(log) ? readFileSync(log, 'utf8') : ''}`).toBe(0);
    const run = await lastRun();
    expect(run.id).toBeGreaterThan(before.id);
    expect(run).toMatchObject({ command: 'run', status: 'OK' });
  }, 120_000);

  it('systemd: ExecStart runs in WorkingDirectory with the EnvironmentFile variables only', async () => {
    const service = UNIT.slice(0, UNIT.indexOf('# /etc/systemd/system/ordersync.timer'));
    const key = (k: string) => new RegExp(`^${k}=(.*)$`, 'm').exec(service)?.[1] as string;
    // systemd's EnvironmentFile: NAME=value lines, # comments, quotes taken off.
    const fileEnv = Object.fromEntries(
      readFileSync(moved(key('EnvironmentFile')), 'utf8')
        .split('\n')
        .filter((l) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(l))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1).replace(/^'(.*)'$|^"(.*)"$/, '$1$2')]),
    );
    const [exe, ...args] = moved(key('ExecStart')).split(/\s+/);
    const systemdPath = movedPath('/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
    const before = await lastRun();
    const r = await collect(spawn(exe as string, args, { cwd: moved(key('WorkingDirectory')), env: { PATH: systemdPath, ...fileEnv }, stdio: ['pipe', 'pipe', 'pipe'] }), 90_000);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const run = await lastRun();
    expect(run.id).toBeGreaterThan(before.id);
    expect(run).toMatchObject({ command: 'run', status: 'OK' });
  }, 120_000);

  it('every systemd ExecStart on the page is a command the installed tool knows', async () => {
    const execs = blocks('ini').flatMap((b) => [...b.matchAll(/^ExecStart=(\S+) (.*)$/gm)].map((m) => [m[1] as string, m[2] as string] as const));
    expect(execs.length).toBeGreaterThanOrEqual(3);
    for (const [exe, args] of execs) {
      expect(exe).toBe('/usr/local/bin/ordersync');
      const r = await sh(`ordersync ${args} --help`, root, operatorEnv);
      expect(r.code, `${args}: ${r.stderr}`).toBe(0);
      expect(r.stdout).toContain(`Usage: ordersync ${args.split(' ')[0]}`);
    }
  }, 60_000);

  it('Kestra and Kubernetes: the YAML parses, installs the packed tarball with the tested line and runs the tested commands', () => {
    const runLine = /ordersync run [^>&|;]*/.exec(CRON)?.[0].trim() as string;
    const unitCommands = blocks('ini').flatMap((b) => [...b.matchAll(/^ExecStart=\S+ (.*)$/gm)].map((m) => `ordersync ${m[1]}`));
    expect(INSTALL).toContain(`./${TARBALL}`);
    const docs = blocks('yaml').flatMap((b) => yaml.loadAll(b)) as any[];
    const kestra = docs.find((d) => d?.namespace !== undefined);
    expect(kestra.tasks[0].containerImage).toMatch(/^node:(2\d)$/);
    expect(kestra.tasks[0].commands).toEqual([INSTALL, runLine]);
    expect(Object.keys(kestra.tasks[0].env).sort()).toEqual(Object.keys(secrets).sort());
    const pods = docs.filter((d) => d?.kind === 'CronJob' || d?.kind === 'Deployment').map((d) => (d.kind === 'CronJob' ? d.spec.jobTemplate.spec.template.spec : d.spec.template.spec));
    expect(pods).toHaveLength(3);
    for (const pod of pods) {
      const [c] = pod.containers;
      expect(c.image).toMatch(/^node:(2\d)$/);
      const [shell, flag, script] = c.command as string[];
      expect([shell, flag]).toEqual(['sh', '-c']);
      const [install, run] = (script as string).split(' && exec ');
      expect(install).toBe(INSTALL);
      expect([runLine, ...unitCommands]).toContain(run);
      const mount = c.volumeMounts.find((m: { mountPath: string }) => m.mountPath === c.workingDir);
      expect(pod.volumes.find((v: { name: string }) => v.name === mount.name).configMap.name).toBe('ordersync-app');
    }
  });
});
