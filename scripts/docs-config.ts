/**
 * Generates docs/configuration.md from the zod schema (src/config/schema.ts): every key with its
 * type, default and `.describe()` text. `npm run docs:config` writes it; tests/docs fail when stale.
 */
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { fileSchema, settingsSchema } from '../src/config/schema.js';
import { clientSettings } from '../src/monday/from-config.js';

interface Row {
  key: string;
  type: string;
  default: string;
  description: string;
}

type AnySchema = z.ZodType & { def: Record<string, unknown>; description?: string };

function unwrap(s: AnySchema): { inner: AnySchema; def?: unknown; optional: boolean; description?: string } {
  let cur = s;
  let dflt: unknown;
  let optional = false;
  let description = s.description;
  for (;;) {
    const t = cur.def.type;
    if (t === 'default' || t === 'prefault') {
      const v = cur.def.defaultValue;
      dflt ??= typeof v === 'function' ? (v as () => unknown)() : v;
    } else if (t === 'optional') optional = true;
    else break;
    cur = cur.def.innerType as AnySchema;
    description ??= cur.description;
  }
  return { inner: cur, def: dflt, optional, description: description ?? cur.description };
}

function typeName(s: AnySchema): string {
  const t = s.def.type as string;
  if (t === 'enum') return Object.values(s.def.entries as Record<string, string>).map((v) => `"${v}"`).join(' \\| ');
  if (t === 'array') return `array of ${typeName(unwrap(s.def.element as AnySchema).inner)}`;
  if (t === 'record') return `table of ${typeName(unwrap(s.def.valueType as AnySchema).inner)}`;
  if (t === 'object') return 'table';
  if (t === 'number') return (s as unknown as { isInt?: boolean }).isInt ? 'integer' : 'number';
  return t;
}

/** [monday] keys left unset run with the client's defaults (src/monday/limits.ts): shown as such. */
const client = clientSettings(settingsSchema.parse({}).monday);
const CLIENT_DEFAULT: Record<string, number> = {
  'monday.batch_size': client.batchSize,
  'monday.timeout_ms': client.timeoutMs,
  'monday.max_retries': client.maxRetries,
  'monday.complexity_per_minute': client.complexityPerMinute,
};

function walk(schema: AnySchema, prefix: string, rows: Row[]): void {
  const shape = schema.def.shape as Record<string, AnySchema>;
  for (const [key, child] of Object.entries(shape)) {
    const u = unwrap(child);
    const path = prefix ? `${prefix}.${key}` : key;
    const isTable = u.inner.def.type === 'object';
    rows.push({
      key: isTable ? `[${path}]` : path,
      type: typeName(u.inner),
      default: isTable ? '' : u.def !== undefined ? `\`${JSON.stringify(u.def)}\`` : CLIENT_DEFAULT[path] !== undefined ? `client: \`${CLIENT_DEFAULT[path]}\`` : u.optional ? '(unset)' : '(required)',
      description: (u.description ?? '').replaceAll('|', '\\|'),
    });
    if (isTable) walk(u.inner, path, rows);
  }
}

export function configurationMarkdown(): string {
  const rows: Row[] = [];
  walk(fileSchema as unknown as AnySchema, '', rows);
  const lines = [
    '# Configuration reference',
    '',
    '<!-- Generated from src/config/schema.ts by `npm run docs:config`; do not edit by hand (a test fails when it is stale). -->',
    '',
    'One TOML file, `ordersync.toml` (or `--config` / `$ORDERSYNC_CONFIG`). Base settings apply to every',
    'environment; `[env.<name>]` overlays override them key by key (`[env.prod.monday]`, …). The environment is',
    'chosen by `--env`, then `ORDERSYNC_ENV`, then `default_env`; a `protected` environment cannot be the default.',
    'Unknown keys are errors, reported with file, line and key. Secrets never live in the file: keys ending in',
    '`_env` name environment variables (see [security.md](security.md)).',
    '',
    'Check a file with `ordersync config validate --all`; see the resolved values of one environment, with the',
    'layer each comes from, with `ordersync config show --env dev`.',
    '',
    '**SQL Server** (`dialect = "mssql"`, with `url_env` naming a variable that holds',
    '`mssql://USER:PASSWORD@HOST:PORT/DATABASE`, optionally `?encrypt=false` or `&trustServerCertificate=true`) is',
    'compile-tested only until a live server is in CI: every statement is compiled for it and snapshot-tested, but no',
    'run has been made against a server here ([architecture.md](architecture.md#database-engines)). A server that does',
    'not answer, or a URL of another engine, is one line naming the variable and the fix.',
    '',
    '| key | type | default | description |',
    '|---|---|---|---|',
    ...rows.map((r) => `| \`${r.key}\` | ${r.type} | ${r.default} | ${r.description} |`),
    '',
  ];
  return lines.join('\n');
}

const here = dirname(fileURLToPath(import.meta.url));
export const CONFIGURATION_DOC = resolve(here, '..', 'docs', 'configuration.md');

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(CONFIGURATION_DOC, configurationMarkdown());
  process.stdout.write(`wrote ${CONFIGURATION_DOC}\n`);
}
