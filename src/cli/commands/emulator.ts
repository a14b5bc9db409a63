import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { EmulatorSeed } from '../../emulator/index.js';
import { ConfigError } from '../../errors.js';
import { nonNegativeInteger, port, positiveNumber } from '../options.js';

interface EmulatorCliOptions {
  port: number;
  host: string;
  token?: string;
  seed?: string;
  state?: string;
  timeScale: number;
  latency: number;
}

export function registerEmulator(program: Command): void {
  program
    .command('emulator')
    .description(
      'Run the local monday.com emulator (POST /v2, API 2026-10 subset) for offline rehearsals and tests. ' +
        'It enforces monday\'s complexity budget, rate limits, error shapes and Idempotency-Key replay, and seeds the ' +
        '"Customer Master Schedule" board (9000000001) and its subitems board (9000000002) unless --seed says otherwise. ' +
        'Prints the URL and token to put in the config; runs until Ctrl-C.',
    )
    .option('-p, --port <port>', 'port to listen on', port('--port'), 4000)
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--token <token>', 'API token to accept (default: generated)')
    .option('--seed <file>', 'seed boards from this JSON file ({"boards":[…]} as the API returns them) instead of the shipped fixture')
    .option('--state <file>', 'keep state in this JSON file plus FILE.journal: loaded at start if present; every write is journaled and fsynced before its answer, so it survives a kill and ids never go back')
    .option('--time-scale <n>', 'run limit windows n times faster (60: a minute of budget lasts 1 s)', positiveNumber('--time-scale'), 1)
    .option('--latency <ms>', 'delay added to every request, in milliseconds', nonNegativeInteger('--latency'), 0)
    .action(async (opts: EmulatorCliOptions) => {
      const { asSeed, customerMasterScheduleSeed, startEmulator } = await import('../../emulator/index.js');
      const seed: EmulatorSeed = opts.seed ? readSeed(opts.seed, asSeed) : customerMasterScheduleSeed();
      const emu = await startEmulator({
        host: opts.host,
        port: opts.port,
        token: opts.token,
        seed,
        statePath: opts.state,
        timeScale: opts.timeScale,
        latencyMs: opts.latency,
      });
      process.stdout.write(
        `monday.com emulator listening\n  url:   ${emu.url}\n  token: ${emu.token}\n` +
          `  boards: ${[...emu.store.boards.values()].map((b) => `${b.id} (${b.name})`).join(', ') || 'none'}\n` +
          `Press Ctrl-C to stop.\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await emu.close();
      process.stdout.write('emulator stopped\n');
    });
}

function readSeed(file: string, asSeed: (value: unknown) => EmulatorSeed): EmulatorSeed {
  try {
    return asSeed(JSON.parse(readFileSync(file, 'utf8')));
  } catch (err) {
    throw new ConfigError(`${file}: not a usable seed (${err instanceof Error ? err.message : String(err)}); expected {"boards":[…]} as boards { … } returns it`);
  }
}
