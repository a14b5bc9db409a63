import type { Command } from 'commander';
import { runDemo, type DemoBoard } from '../../jobs/demo.js';
import { alertLines, formatJobSummary } from '../render/summary.js';
import { print } from '../context.js';
import { anyInteger, positiveInteger } from '../options.js';

interface DemoFlags {
  dir: string;
  orders: number;
  seed: number;
}

/** The emulator with the shipped boards, loaded only for the commands that run it: startup stays fast. */
const emulatorBoard: DemoBoard = async (opts) => {
  const { customerMasterScheduleSeed, startEmulator } = await import('../../emulator/index.js');
  return startEmulator({ ...opts, seed: customerMasterScheduleSeed() });
};

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('Run the whole job on the embedded default: generated sample data in SQLite, the local monday emulator, an initial load and a day of changes. Needs no config. Exits as `run` would for the worse of its two runs.')
    .option('--dir <path>', 'folder for the demo config, database and board state', 'ordersync-demo')
    .option('--orders <n>', 'orders to generate', positiveInteger('--orders'), 200)
    .option('--seed <n>', 'sample data seed', anyInteger('--seed'), 7)
    .action(async (opts: DemoFlags) => {
      const demo = await runDemo({
        ...opts,
        board: emulatorBoard,
        onDay: (day, n) => print([...(n > 0 ? [''] : []), day.title, formatJobSummary(day.result), ...alertLines(day.alerts)].join('\n')),
      });
      print(
        [
          '',
          `demo files in ${demo.dir} (config, SQLite database, board state)`,
          'next:',
          `  ordersync --config ${demo.configPath} status                   # backlog, errors by code, last runs`,
          `  ordersync --config ${demo.configPath} report --last            # per customer and season`,
          `  ordersync --config ${demo.configPath} serve                    # dashboard and /metrics on http://127.0.0.1:8787`,
          `  ordersync emulator --state ${demo.statePath}   # the board as the demo left it`,
        ].join('\n'),
      );
      return demo.exitCode;
    });
}
