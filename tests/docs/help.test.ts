import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CommanderError, type Command, type Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';
import { REPO_ROOT } from '../support/cli.js';

interface Usage {
  file: string;
  line: number;
  text: string;
}

/** `ordersync …` command lines in fenced code blocks and inline code spans of the docs and README. */
function usages(): Usage[] {
  const files = [join(REPO_ROOT, 'README.md'), ...readdirSync(join(REPO_ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join(REPO_ROOT, 'docs', f))];
  const out: Usage[] = [];
  for (const file of files) {
    let fenced = false;
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((raw, i) => {
        if (/^\s*```/.test(raw)) {
          fenced = !fenced;
          return;
        }
        const chunks = fenced ? [raw] : [...raw.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);
        for (const chunk of chunks) {
          for (const m of chunk.matchAll(/(?:^|[\s(])(?:npx )?ordersync ((?:--?[a-z]|[a-z])[^#|&>;"]*)/g)) {
            out.push({ file: file.slice(REPO_ROOT.length + 1), line: i + 1, text: `ordersync ${(m[1] as string).trim()}` });
          }
        }
      });
  }
  return out;
}

function takesValue(o: Option): boolean {
  return o.required || o.optional;
}

function findOption(cmds: Command[], token: string): Option | undefined {
  const name = token.split('=')[0];
  for (const c of cmds) {
    const o = c.options.find((x) => x.long === name || x.short === name);
    if (o) return o;
  }
  return undefined;
}

/** Resolves the command path and checks every option against the command (and the global ones). */
/** Every command registered in full (the CLI itself loads only the one it runs). */
const program = await buildProgram();

function check(text: string): { path: string[]; problems: string[] } {
  const tokens = text.replace(/[[\]]/g, ' ').split(/\s+/).slice(1).filter(Boolean);
  const chain: Command[] = [program];
  const path: string[] = [];
  const problems: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as string;
    const current = chain[chain.length - 1] as Command;
    if (t.startsWith('-')) {
      if (t === '--help' || t === '-h' || t === '--version' || t === '-V') continue;
      const o = findOption(chain, t);
      if (!o) problems.push(`unknown option ${t} for "ordersync ${path.join(' ')}"`);
      else if (takesValue(o) && !t.includes('=')) i++;
      continue;
    }
    if (current.commands.length > 0) {
      const sub = current.commands.find((c) => c.name() === t || c.aliases().includes(t));
      if (!sub) {
        problems.push(`unknown command "${t}" after "ordersync ${path.join(' ')}"`);
        break;
      }
      chain.push(sub);
      path.push(t);
    }
    // Otherwise a positional argument (a file, a value).
  }
  // `ordersync --help` and `ordersync --version` are whole commands on their own.
  if (path.length === 0 && !tokens.some((t) => ['--help', '-h', '--version', '-V'].includes(t))) problems.push('no command');
  return { path, problems };
}

async function helpOf(path: string[]): Promise<string> {
  const program = await buildProgram();
  let out = '';
  const capture = (c: Command) => {
    c.exitOverride().configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (out += s) });
    c.commands.forEach(capture);
  };
  capture(program);
  try {
    program.parse(['node', 'ordersync', ...path, '--help']);
  } catch (err) {
    if (!(err instanceof CommanderError) || err.code !== 'commander.helpDisplayed') throw err;
  }
  return out;
}

describe('every `ordersync …` line in the docs is a real command with real options', () => {
  const all = usages();

  it('finds the command lines', () => {
    expect(all.length).toBeGreaterThan(30);
    for (const cmd of ['doctor', 'cutover', 'rollback', 'backup', 'migrate', 'run']) expect(all.some((u) => u.text.startsWith(`ordersync ${cmd}`)), cmd).toBe(true);
  });

  it.each(all.map((u) => [`${u.file}:${u.line} ${u.text}`, u] as const))('%s', async (_name, u) => {
    const { path, problems } = check(u.text);
    expect(problems, `${u.file}:${u.line}: ${u.text}`).toEqual([]);
    expect(await helpOf(path)).toMatch(new RegExp(`Usage: ordersync${path.length ? ` ${path.join(' ')}` : ''}`));
  });
});
