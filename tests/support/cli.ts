import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Repository root (this file is tests/support/cli.ts). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The CLI entry point, run from source through tsx. */
export const CLI_MAIN = resolve(REPO_ROOT, 'src', 'cli', 'main.ts');

/**
 * tsx's ESM loader as an absolute file URL. `node --import tsx` only resolves from a cwd
 * that can see node_modules/tsx; the CLI tests run in temporary folders, so the loader is
 * resolved here, from the repository, once. (tsx's "." export is dist/loader.mjs.)
 */
export const TSX_LOADER = pathToFileURL(createRequire(resolve(REPO_ROOT, 'package.json')).resolve('tsx')).href;

export interface CliOptions {
  cwd: string;
  /** Merged over process.env; a value of undefined removes the variable. */
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Variables that would leak the developer's (or CI's) selection into a test's child process. */
const SCRUBBED = ['ORDERSYNC_ENV', 'ORDERSYNC_CONFIG', 'CI'];

function childEnv(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of SCRUBBED) delete env[k];
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/**
 * Runs a TypeScript file in a child Node process through tsx. stdin is a pipe (so the
 * child is never a TTY), stdout and stderr are piped.
 */
export function spawnTs(script: string, args: string[], opts: CliOptions): ChildProcess {
  return spawn(process.execPath, ['--import', TSX_LOADER, script, ...args], {
    cwd: opts.cwd,
    env: childEnv(opts.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** The installed entry point; tests/support/global-setup.ts builds dist/ before the tests. */
export const CLI_BIN = resolve(REPO_ROOT, 'bin', 'ordersync.js');

/** Starts `ordersync <args>` as a child process (for tests that need to signal it). */
export function spawnCli(args: string[], opts: CliOptions): ChildProcess {
  return spawn(process.execPath, [CLI_BIN, ...args], { cwd: opts.cwd, env: childEnv(opts.env), stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Collects a child's output and exit code; kills it (SIGKILL) after timeoutMs. */
export function collect(child: ChildProcess, timeoutMs = 30_000): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdin?.end();
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child timed out after ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code: code ?? 128 + (signal ? constants.signals[signal] : 0), stdout, stderr });
    });
  });
}

/** Runs `ordersync <args>` to completion. */
export function runCli(args: string[], opts: CliOptions): Promise<CliResult> {
  return collect(spawnCli(args, opts), opts.timeoutMs);
}

/** Resolves with the first stdout line matching `pattern` (rejects if the child exits first). */
export function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    let buffer = '';
    let stderr = '';
    const onData = (d: Buffer | string) => {
      buffer += d.toString();
      const line = buffer.split('\n').find((l) => pattern.test(l));
      if (line !== undefined) {
        done();
        resolvePromise(line);
      }
    };
    const onErr = (d: Buffer | string) => (stderr += d.toString());
    const onExit = (code: number | null) => {
      done();
      reject(new Error(`child exited (${code}) before printing ${pattern}\nstdout: ${buffer}\nstderr: ${stderr}`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms\nstdout: ${buffer}\nstderr: ${stderr}`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onErr);
      child.off('exit', onExit);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onErr);
    child.on('exit', onExit);
  });
}

/**
 * Runs `ordersync <args>` inside this process through `main()` (the same code path as the
 * binary, minus process start-up, which costs ~2 CPU-seconds per spawn). Changes cwd and
 * process.env for the duration and captures stdout/stderr, so calls must not overlap:
 * never use it from concurrent tests. Use runCli when the process boundary matters (TTY,
 * CI, signals, exit codes of the real binary).
 */
export async function runMain(args: string[], opts: CliOptions): Promise<CliResult> {
  const { main } = await import('../../src/cli/main.js');
  const savedCwd = process.cwd();
  const savedEnv = { ...process.env };
  const writes = { stdout: '', stderr: '' };
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  const capture = (key: 'stdout' | 'stderr') =>
    ((chunk: string | Uint8Array) => {
      writes[key] += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      return true;
    }) as typeof process.stdout.write;
  try {
    for (const k of Object.keys(process.env)) if (!(k in childEnv(opts.env))) delete process.env[k];
    Object.assign(process.env, childEnv(opts.env));
    process.chdir(opts.cwd);
    process.stdout.write = capture('stdout');
    process.stderr.write = capture('stderr');
    const code = await main(['node', 'ordersync', ...args]);
    return { code, ...writes };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    process.chdir(savedCwd);
    for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
    Object.assign(process.env, savedEnv);
  }
}

/** SIGKILLs `child` once `ready()` says so (polled every 3 ms); resolves with its exit. */
export async function killWhen(child: ChildProcess, ready: () => Promise<boolean> | boolean, timeoutMs = 90_000): Promise<{ result: CliResult; killed: boolean }> {
  let killed = false;
  let busy = false;
  const timer = setInterval(() => {
    if (busy || killed) return;
    busy = true;
    Promise.resolve(ready())
      .then((yes) => {
        if (yes && !killed) {
          killed = true;
          child.kill('SIGKILL');
        }
      })
      .catch(() => undefined)
      .finally(() => (busy = false));
  }, 3);
  try {
    return { result: await collect(child, timeoutMs), killed };
  } finally {
    clearInterval(timer);
  }
}
