import type { Command } from 'commander';
import { loadConfig, maskSecret, optionalSecret, type Finding, type ResolvedConfig } from '../../config/index.js';
import { validateConfig } from '../../checks/validate.js';
import { dialectAdapter } from '../../db/index.js';
import { ExitCode } from '../../errors.js';
import { globalOptions, loadCliConfig, print, printJson } from '../context.js';

export function registerConfig(program: Command): void {
  const config = program.command('config').description('Show or validate the configuration.');

  config
    .command('show')
    .description('Print the resolved configuration of an environment: each value with the layer it came from (default, file, env.<name>); secrets masked.')
    .option('--json', 'machine-readable output')
    .action((opts: { json?: boolean }, cmd: Command) => {
      const cfg = loadCliConfig(cmd);
      const rows = [...cfg.sources].map(([key, layer]) => ({ key, value: valueAt(cfg, key), layer }));
      const secrets = secretStatus(cfg);
      if (opts.json) {
        printJson({ file: cfg.file, env: cfg.envName, env_source: cfg.envSource, protected: cfg.settings.protected, values: rows, secrets });
        return;
      }
      print(`# ${cfg.file} — environment "${cfg.envName}" (chosen by ${cfg.envSource})${cfg.settings.protected ? ', protected' : ''}`);
      const width = Math.max(...rows.map((r) => r.key.length));
      for (const r of rows) print(`${r.key.padEnd(width)} = ${JSON.stringify(r.value)}  [${r.layer}]`);
      for (const s of secrets) print(`secret ${s.variable} (${s.key}): ${s.status}`);
    });

  config
    .command('validate')
    .description('Check the configuration: structure and types, environments sharing a board or database (resolved paths and URLs), columns mapped twice, secret-looking literals; then, per environment, the staging table (when reachable) and the mapping against the board snapshots (column ids exist, types fit, labels exist or may be created, snapshot of the right board; labels only the live board has mean a stale snapshot, a warning) — or the live boards with --online.')
    .option('--all', 'validate every environment (default: the selected one, plus cross-environment rules)')
    .option('--online', 'check against the live boards (needs the token) instead of the snapshots')
    .option('--json', 'machine-readable output')
    .action(async (opts: { all?: boolean; online?: boolean; json?: boolean }, cmd: Command) => {
      const g = globalOptions(cmd);
      // --all needs no selected environment: without default_env it starts from the first one.
      const cfg = opts.all
        ? loadConfig({ path: g.config, env: undefined, envVars: { ...process.env, ORDERSYNC_ENV: undefined }, firstEnvIfUnselected: true })
        : loadCliConfig(cmd);
      const findings = await validateConfig(cfg, { all: opts.all, online: opts.online });
      return report(cfg, findings, opts.json);
    });
}

function report(cfg: ResolvedConfig, findings: Finding[], json?: boolean): ExitCode {
  const errors = findings.filter((f) => f.level === 'error');
  if (json) {
    printJson({ file: cfg.file, ok: errors.length === 0, findings });
  } else {
    for (const f of findings) print(`${f.level}: ${cfg.file}${f.env ? ` [env.${f.env}]` : ''}${f.key ? ` ${f.key}` : ''}: ${f.message}`);
    print(errors.length === 0 ? `ok: ${cfg.file} (${cfg.envNames.join(', ') || 'no environments'})` : `${errors.length} error(s)`);
  }
  return errors.length > 0 ? ExitCode.config : ExitCode.ok;
}

function valueAt(cfg: ResolvedConfig, key: string): unknown {
  const parts = key.match(/"(?:[^"\\]|\\.)*"|[^.]+/g) ?? [];
  let cur: unknown = cfg.settings;
  for (const p of parts) {
    const k = p.startsWith('"') ? (JSON.parse(p) as string) : p;
    cur = (cur as Record<string, unknown> | undefined)?.[k];
  }
  return cur;
}

function secretStatus(cfg: ResolvedConfig) {
  const s = cfg.settings;
  const vars: Array<[string, string]> = [
    ['monday.token_env', s.monday.token_env],
    ...(s.monday.api_url_env ? [['monday.api_url_env', s.monday.api_url_env] as [string, string]] : []),
    ['alerts.webhook_url_env', s.alerts.webhook_url_env],
    ['server.token_env', s.server.token_env],
  ];
  if (dialectAdapter(s.database.dialect).location === 'url_env') vars.unshift(['database.url_env', s.database.url_env]);
  return vars.map(([key, variable]) => ({ key, variable, status: maskSecret(optionalSecret(variable)) }));
}
