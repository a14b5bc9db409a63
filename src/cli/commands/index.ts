import type { Command } from 'commander';
import { registerBoard } from './board.js';
import { registerConfig } from './config.js';
import { registerGen } from './gen.js';
import { registerIngest } from './ingest.js';
import { registerDemo } from './demo.js';
import { registerDoctor } from './doctor.js';
import { registerCutover } from './cutover.js';
import { registerRollback } from './rollback.js';
import { registerBackup } from './backup.js';
import { registerEmulator } from './emulator.js';
import { registerInit } from './init.js';
import { registerMerge } from './merge.js';
import { registerMigrate } from './migrate.js';
import { registerPlan } from './plan.js';
import { registerSync } from './sync.js';
import { registerStatus } from './status.js';
import { registerReport } from './report.js';
import { registerLog } from './log.js';
import { registerPrune } from './prune.js';
import { registerServe } from './serve.js';
import { registerVerify } from './verify.js';
import { registerWorker } from './worker.js';

/** Every CLI command registers itself on the program; one line per command file. */
export const commands: Array<(program: Command) => void> = [
  registerInit,
  registerConfig,
  registerMigrate,
  registerMerge,
  registerIngest,
  registerGen,
  registerPlan,
  registerSync,
  registerVerify,
  registerStatus,
  registerReport,
  registerLog,
  registerPrune,
  registerServe,
  registerWorker,
  registerBoard,
  registerDemo,
  registerEmulator,
  registerDoctor,
  registerCutover,
  registerRollback,
  registerBackup,
];
