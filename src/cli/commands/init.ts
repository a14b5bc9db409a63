import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { boardStarterConfig, configPath, loadConfig, settingsSchema, STARTER_ENV, starterConfig } from '../../config/index.js';
import { ConfigError } from '../../errors.js';
import { writePrivateFileSync } from '../../private-file.js';
import { writeSnapshot, MondayClient, snapshotPath } from '../../monday/index.js';
import { readBoards, stagingHeader } from '../../jobs/from-board.js';
import { cliPrefix, globalOptions, print } from '../context.js';

interface InitFlags {
  fromBoard?: string;
  staging?: string;
  sizeColumn?: string;
  qtyColumn?: string;
  tokenEnv: string;
  apiUrlEnv: string;
}

function boardId(value: string): string {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`expects a numeric board id, got "${value}"`);
  return value;
}

function envVarName(value: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(value)) throw new InvalidArgumentError(`expects an environment variable name, got "${value}"`);
  return value;
}

export function registerInit(program: Command): void {
  program
    .command('init')
    .description(
      'Write a commented starter ordersync.toml. Plain: a dev environment on SQLite and the local emulator\'s demo boards. ' +
        'With --from-board: read your items board and its subitems board (token from $MONDAY_API_TOKEN, endpoint from ' +
        '$MONDAY_API_URL or else https://api.monday.com/v2), pair staging columns with board columns of the same title ' +
        '(case and spaces ignored), find the subitems\' size and quantity columns, list the board columns left unpaired as ' +
        'comments, and take the board snapshot. Staging columns come from --staging, or else the sample data\'s header. ' +
        'The environment is named by --env (default dev). Never overwrites.',
    )
    .option('--from-board <id>', 'items board to read (its subitems board is found from it)', boardId)
    .option('--staging <file>', 'with --from-board: an order list (.csv or .xlsx) whose header names the staging columns')
    .option('--size-column <id>', 'with --from-board: the subitems column holding the size, when its title does not say so')
    .option('--qty-column <id>', 'with --from-board: the subitems column holding the quantity, when its title does not say so')
    .option('--token-env <name>', 'with --from-board: the variable holding the API token', envVarName, 'MONDAY_API_TOKEN')
    .option('--api-url-env <name>', 'with --from-board: the variable holding the endpoint; when it is set, the config reads it too (monday.api_url_env)', envVarName, 'MONDAY_API_URL')
    .action(async (opts: InitFlags, cmd: Command) => {
      const g = globalOptions(cmd);
      const file = configPath({ path: g.config });
      if (existsSync(file)) throw new ConfigError(`${file} already exists; not overwriting it`);
      if (opts.fromBoard === undefined) {
        const boardOnly = (['staging', 'sizeColumn', 'qtyColumn'] as const).filter((k) => opts[k] !== undefined);
        if (boardOnly.length > 0) throw new ConfigError(`--${boardOnly[0]?.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} needs --from-board`);
        mkdirSync(dirname(file), { recursive: true });
        writePrivateFileSync(file, starterConfig(), { exclusive: true });
        const cli = cliPrefix(cmd);
        print(
          [
            `wrote ${file}`,
            'next:',
            `  ${cli} emulator                      # in another terminal: the local monday emulator at the config's api_url; prints a token`,
            '  export MONDAY_API_TOKEN=<the token it printed>',
            `  ${cli} migrate up`,
            `  ${cli} board snapshot                # records the boards' columns for doctor and config validate`,
          ].join('\n'),
        );
        return;
      }
      await initFromBoard(file, opts.fromBoard, opts, g.env ?? STARTER_ENV, cliPrefix(cmd));
    });
}

async function initFromBoard(file: string, itemsBoardId: string, opts: InitFlags, envName: string, cli: string): Promise<void> {
  if (!/^[A-Za-z0-9_-]+$/.test(envName)) throw new ConfigError(`--env "${envName}": an environment name has letters, digits, _ and - only`);
  const token = process.env[opts.tokenEnv]?.trim();
  if (!token) throw new ConfigError(`environment variable ${opts.tokenEnv} is not set: init --from-board reads the boards with that API token`);
  const fromEnv = process.env[opts.apiUrlEnv]?.trim() || undefined;
  const defaults = settingsSchema.parse({}).monday;
  const apiUrl = fromEnv ?? defaults.api_url;
  if (!URL.canParse(apiUrl)) throw new ConfigError(`environment variable ${opts.apiUrlEnv} does not hold a URL`);
  // The [monday] settings a new file leaves unset: the client's own defaults.
  const client = new MondayClient({ apiUrl, apiVersion: defaults.api_version, token });
  const staging = await stagingHeader(opts.staging === undefined ? undefined : resolve(opts.staging));
  const reading = await readBoards(client, {
    itemsBoardId,
    staging,
    sizeColumnId: opts.sizeColumn,
    qtyColumnId: opts.qtyColumn,
    cancelledLabel: settingsSchema.parse({}).cancel.status_label,
  });
  const text = boardStarterConfig({
    ...reading.starter,
    envName,
    apiUrl,
    apiUrlEnv: fromEnv === undefined ? undefined : opts.apiUrlEnv,
    apiVersion: defaults.api_version,
    tokenEnv: opts.tokenEnv,
  });

  mkdirSync(dirname(file), { recursive: true });
  writePrivateFileSync(file, text, { exclusive: true });
  const written: string[] = [];
  try {
    // The file is read back as every later command will read it, so what was written is known to load.
    const cfg = loadConfig({ path: file, env: envName, envVars: { ...process.env, ORDERSYNC_ENV: undefined } });
    for (const [role, snap] of [['items', reading.items], ['subitems', reading.subitems]] as const) {
      const path = snapshotPath(cfg, cfg.settings, envName, role);
      await writeSnapshot(path, snap);
      written.push(path);
    }
  } catch (err) {
    for (const path of [file, ...written]) rmSync(path, { force: true });
    throw err;
  }
  const s = reading.starter;
  print(
    [
      `wrote ${file} for board ${s.itemsBoard.id} "${s.itemsBoard.name}" (environment "${envName}", endpoint ${fromEnv === undefined ? apiUrl : `from $${opts.apiUrlEnv}`})`,
      `  ${s.columns.length} staging columns paired by title, ${s.unpaired.length} board columns left unpaired (commented in [mapping.columns])`,
      `  subitems board ${s.subitemsBoard.id}: size ${s.size.id} "${s.size.title}", quantity ${s.qty.id} "${s.qty.title}"`,
      ...written.map((p) => `wrote ${p}`),
      'next:',
      `  ${cli} migrate up`,
      `  ${cli} ingest <order list file>`,
      `  ${cli} config validate`,
      `  ${cli} plan`,
    ].join('\n'),
  );
}
