import type { Command } from 'commander';
import { registerConfig } from './config.js';
import { registerInit } from './init.js';
import { registerMerge } from './merge.js';
import { registerMigrate } from './migrate.js';
import { registerSync } from './sync.js';
import { registerEmulator } from './emulator.js';

/** Every CLI command registers itself on the program; one line per command file. */
export const commands: Array<(program: Command) => void> = [
  registerInit,
  registerConfig,
  registerMigrate,
  registerMerge,
  registerSync,
  registerEmulator,
];
