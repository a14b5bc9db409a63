import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { formatKeyPath, locateKey } from './locate.js';
import { deepMerge, hasPath, isPlainObject, type Plain } from './merge.js';
import { fileSchema, settingsSchema, type Settings } from './schema.js';
import { didYouMean, knownKeysAt } from './suggest.js';

export type Layer = 'default' | 'file' | `env.${string}`;

export interface ResolvedConfig {
  /** Absolute path of the config file. */
  file: string;
  /** Folder of the config file: relative paths in the file resolve against it. */
  dir: string;
  /** The selected environment ("default" when the file defines no environments). */
  envName: string;
  /** How the environment was chosen. */
  envSource: 'flag' | 'ORDERSYNC_ENV' | 'default_env' | 'only' | 'first';
  settings: Settings;
  /** Layer each leaf value came from, keyed by its formatted key path. */
  sources: Map<string, Layer>;
  /** Names of every environment in the file. */
  envNames: string[];
  defaultEnv: string | undefined;
  /** Each environment's resolved settings (for checks across environments). */
  all: Map<string, Settings>;
}

export interface LoadOptions {
  path?: string;
  env?: string;
  envVars?: NodeJS.ProcessEnv;
  cwd?: string;
  /**
   * When nothing selects an environment, take the first one instead of failing (for
   * checks that cover every environment, such as `config validate --all`).
   */
  firstEnvIfUnselected?: boolean;
}

export function configPath(opts: LoadOptions): string {
  const envVars = opts.envVars ?? process.env;
  return resolve(opts.cwd ?? process.cwd(), opts.path ?? envVars.ORDERSYNC_CONFIG ?? 'ordersync.toml');
}

export function loadConfig(opts: LoadOptions = {}): ResolvedConfig {
  const envVars = opts.envVars ?? process.env;
  const file = configPath(opts);
  const text = readConfigText(file);
  const raw = parseToml(file, text);

  const top = fileSchema.safeParse(raw);
  if (!top.success) throw validationError(file, text, fileSchema, top.error, []);
  const { env: overlays = {}, default_env: defaultEnv, ...baseRaw } = raw as Plain & { env?: Record<string, Plain>; default_env?: string };

  const all = new Map<string, Settings>();
  for (const [name, overlay] of Object.entries(overlays)) {
    const merged = settingsSchema.safeParse(deepMerge(baseRaw, overlay));
    if (!merged.success) throw validationError(file, text, settingsSchema, merged.error, ['env', name], overlay, baseRaw);
    all.set(name, merged.data);
  }
  const envNames = [...all.keys()];

  if (defaultEnv !== undefined) {
    const target = all.get(defaultEnv);
    if (!target) {
      throw new ConfigError(
        `${where(file, text, ['default_env'])}: default_env = "${defaultEnv}" names no environment (defined: ${list(envNames)})${didYouMean(defaultEnv, envNames)}`,
      );
    }
    if (target.protected) {
      throw new ConfigError(
        `${where(file, text, ['default_env'])}: default_env = "${defaultEnv}" is a protected environment; a protected environment cannot be the default (choose it explicitly with --env)`,
      );
    }
  }

  const chosen = chooseEnv(opts.env, envVars.ORDERSYNC_ENV, defaultEnv, envNames, file, opts.firstEnvIfUnselected);
  const overlay: Plain = chosen.name in overlays ? (overlays[chosen.name] ?? {}) : {};
  const settings = all.get(chosen.name) ?? settingsSchema.parse(baseRaw);
  if (all.size === 0) all.set(chosen.name, settings);

  return {
    file,
    dir: dirname(file),
    envName: chosen.name,
    envSource: chosen.source,
    settings,
    sources: layerSources(settings, baseRaw, overlay, chosen.name),
    envNames,
    defaultEnv,
    all,
  };
}

function readConfigText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new ConfigError(`${file}: config file not found (create one with \`ordersync init\`, or pass --config)`);
    }
    throw new ConfigError(`${file}: cannot read config file (${code ?? String(err)})`);
  }
}

function parseToml(file: string, text: string): Plain {
  try {
    return parse(text) as Plain;
  } catch (err) {
    if (err instanceof TomlError) {
      const first = err.message.split('\n')[0] ?? err.message;
      throw new ConfigError(`${file}:${err.line}:${err.column}: malformed TOML: ${first}`);
    }
    throw err;
  }
}

function chooseEnv(
  flag: string | undefined,
  fromEnvVar: string | undefined,
  defaultEnv: string | undefined,
  envNames: string[],
  file: string,
  firstIfUnselected = false,
): { name: string; source: ResolvedConfig['envSource'] } {
  const pick =
    (flag && { name: flag, source: 'flag' as const, how: '--env' }) ||
    (fromEnvVar && { name: fromEnvVar, source: 'ORDERSYNC_ENV' as const, how: 'ORDERSYNC_ENV' }) ||
    (defaultEnv && { name: defaultEnv, source: 'default_env' as const, how: 'default_env' });
  if (!pick) {
    if (envNames.length === 0) return { name: 'default', source: 'only' };
    if (firstIfUnselected && envNames[0] !== undefined) return { name: envNames[0], source: 'first' };
    throw new ConfigError(
      `${file}: no environment selected; pass --env, set ORDERSYNC_ENV or set default_env (defined: ${list(envNames)})`,
    );
  }
  if (!envNames.includes(pick.name)) {
    throw new ConfigError(`${file}: unknown environment "${pick.name}" (from ${pick.how}); defined: ${list(envNames)}${didYouMean(pick.name, envNames)}`);
  }
  return { name: pick.name, source: pick.source };
}

function list(names: string[]): string {
  return names.length ? names.join(', ') : 'none';
}

function where(file: string, text: string, path: readonly string[]): string {
  const line = locateKey(text, path);
  return line ? `${file}:${line}` : file;
}

/**
 * One message per problem, each naming file:line and the key path. For an overlay, a
 * problem sits in [env.<name>] when the overlay sets that key, otherwise in the base.
 */
function validationError(
  file: string,
  text: string,
  schema: z.ZodType,
  error: z.ZodError,
  envPrefix: string[],
  overlay?: Plain,
  base?: Plain,
): ConfigError {
  const messages = error.issues.map((issue) => {
    const path = issue.path.map(String);
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
    return keys
      .map((extra) => {
        const full = extra === undefined ? path : [...path, extra];
        // A key the overlay sets is the overlay's; a key set by neither (a required key missing
        // from a table the overlay introduced) belongs to the layer that defines most of its path.
        const inOverlay =
          overlay !== undefined &&
          (hasPath(overlay, full) || (!hasPath(base ?? {}, full) && setDepth(overlay, full) > setDepth(base ?? {}, full)));
        const located = inOverlay ? [...envPrefix, ...full] : full;
        const what = extra === undefined ? issue.message : `unknown key${didYouMean(extra, knownKeysAt(schema, path))}`;
        return `${where(file, text, located)}: ${formatKeyPath(located)}: ${what}`;
      })
      .join('\n');
  });
  return new ConfigError(messages.join('\n'));
}

/** How many leading segments of `path` a raw layer defines. */
function setDepth(obj: Plain, path: readonly string[]): number {
  let n = 0;
  while (n < path.length && hasPath(obj, path.slice(0, n + 1))) n++;
  return n;
}

function layerSources(settings: Settings, base: Plain, overlay: Plain, envName: string): Map<string, Layer> {
  const out = new Map<string, Layer>();
  const walk = (value: unknown, path: string[]) => {
    if (isPlainObject(value) && Object.keys(value).length > 0) {
      for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
      return;
    }
    const layer: Layer = hasPath(overlay, path) ? `env.${envName}` : hasPath(base, path) ? 'file' : 'default';
    out.set(formatKeyPath(path), layer);
  };
  walk(settings, []);
  return out;
}
