import type { Command } from 'commander';
import { ConfigError } from '../../errors.js';
import { formatHistory } from '../render/status.js';
import { orderHistory } from '../../observe/index.js';
import { loadCliConfig, print, printJson, withDb } from '../context.js';

export function registerLog(program: Command): void {
  program
    .command('log')
    .description('An order\'s history across runs: its row and lines now, every journal event, and every API exchange that touched it.')
    .requiredOption('--order <key>', 'the order key')
    .option('--json', 'machine-readable output')
    .option('--bodies', 'include request and response bodies of the API exchanges (token redacted)')
    .action(async (opts: { order: string; json?: boolean; bodies?: boolean }, cmd: Command) => {
      const cfg = loadCliConfig(cmd);
      const history = await withDb(cfg, (db) => orderHistory(db, opts.order, { withBodies: opts.bodies || opts.json }));
      if (!history.order && history.events.length === 0 && history.api.length === 0) throw new ConfigError(`no order "${opts.order}" and no history for it`);
      if (opts.json) printJson(history);
      else print(formatHistory(opts.order, history, Boolean(opts.bodies)));
    });
}
