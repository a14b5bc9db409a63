import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { configPath, starterConfig } from '../../config/index.js';
import { ConfigError } from '../../errors.js';
import { globalOptions, print } from '../context.js';

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('Write a commented starter ordersync.toml (a dev environment on SQLite and the local emulator). Never overwrites.')
    .action((_opts, cmd: Command) => {
      const file = configPath({ path: globalOptions(cmd).config });
      if (existsSync(file)) throw new ConfigError(`${file} already exists; not overwriting it`);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, starterConfig(), { flag: 'wx', mode: 0o600 });
      print(`wrote ${file}\nnext: ordersync migrate up && ordersync config show`);
    });
}
