import type { Command } from 'commander';
import { formatDoctor, runDoctor } from '../../checks/doctor.js';
import { loadCliConfig, print, printJson } from '../context.js';

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('Check what a run depends on: database reachable, migrations current, staging columns (key, size markers, mapped columns), the alert webhook (an http(s) URL whose host answers a HEAD; nothing is posted), token accepted, API version supported, boards reachable, every mapped column id and type against the live boards, board drift against the snapshots, budget headroom. Exit codes: 0 all pass, 2 warnings, 1 a failure, 3 config error.')
    .option('--json', 'machine-readable output')
    .option('--offline', 'database checks (and the webhook URL\'s form) only: no token, no network')
    .action(async (opts: { json?: boolean; offline?: boolean }, cmd: Command) => {
      const cfg = loadCliConfig(cmd);
      const report = await runDoctor(cfg, { offline: opts.offline });
      if (opts.json) printJson(report);
      else print(formatDoctor(report));
      return report.exitCode;
    });
}
