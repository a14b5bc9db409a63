import type { Command } from 'commander';

type Register = (program: Command) => void;

export interface CommandModule {
  /** The top-level commands the module registers, each with its line in `ordersync --help`. */
  summaries: Record<string, string>;
  /** Imported only when one of its commands runs (or asks for its help): startup stays small. */
  load: () => Promise<Register>;
}

/** Every CLI command file, in the order `ordersync --help` lists them; one entry per file. */
export const commandModules: CommandModule[] = [
  { summaries: { init: 'write a commented starter ordersync.toml (or one read from your board with --from-board)' }, load: async () => (await import('./init.js')).registerInit },
  { summaries: { config: 'show or validate the configuration' }, load: async () => (await import('./config.js')).registerConfig },
  { summaries: { migrate: 'apply, reverse or list schema migrations of the environment\'s database' }, load: async () => (await import('./migrate.js')).registerMigrate },
  { summaries: { merge: 'queue what changed in the staging table for the next sync (database only)' }, load: async () => (await import('./merge.js')).registerMerge },
  { summaries: { ingest: 'load an order-list file (CSV, XLSX) into the staging table' }, load: async () => (await import('./ingest.js')).registerIngest },
  { summaries: { gen: 'write seeded sample order-list CSVs shaped like the real staging table' }, load: async () => (await import('./gen.js')).registerGen },
  { summaries: { plan: 'dry run: what the next run would change, and its cost; writes nothing' }, load: async () => (await import('./plan.js')).registerPlan },
  {
    summaries: {
      run: 'the scheduled job: merge, then sync the board, under the run lock',
      sync: 'sync PENDING orders and lines to monday.com without merging first',
      retry: 'put rows parked in ERROR back in the queue and sync',
    },
    load: async () => (await import('./sync.js')).registerSync,
  },
  { summaries: { verify: 'read the boards back and compare them with what each synced order says' }, load: async () => (await import('./verify.js')).registerVerify },
  { summaries: { status: 'the queue now: rows by state, backlog, errors by code, the last runs' }, load: async () => (await import('./status.js')).registerStatus },
  { summaries: { report: 'a run per customer and season: synced, failed (with what to do), pending' }, load: async () => (await import('./report.js')).registerReport },
  { summaries: { runs: 'the run history: verdict, records, duration and complexity of each run' }, load: async () => (await import('./runs.js')).registerRuns },
  { summaries: { log: 'an order\'s history across runs' }, load: async () => (await import('./log.js')).registerLog },
  { summaries: { prune: 'delete API log rows and journal events older than an age' }, load: async () => (await import('./prune.js')).registerPrune },
  { summaries: { serve: 'dashboard, /metrics, /healthz and /readyz; optionally the job on a cron' }, load: async () => (await import('./serve.js')).registerServe },
  {
    summaries: {
      worker: 'take scheduled jobs from the PostgreSQL queue and run each as `ordersync run` does',
      schedule: 'enqueue `ordersync run` for every PostgreSQL environment on its cron',
    },
    load: async () => (await import('./worker.js')).registerWorker,
  },
  { summaries: { board: 'board structure: columns, and snapshots for doctor and config validate' }, load: async () => (await import('./board.js')).registerBoard },
  { summaries: { demo: 'run the whole job on the embedded default (SQLite and the local emulator)' }, load: async () => (await import('./demo.js')).registerDemo },
  { summaries: { emulator: 'run the local monday.com emulator for offline rehearsals and tests' }, load: async () => (await import('./emulator.js')).registerEmulator },
  { summaries: { doctor: 'check what a run depends on: database, staging, token, boards, budget' }, load: async () => (await import('./doctor.js')).registerDoctor },
  { summaries: { cutover: 'bring an environment live: preflight, baseline, canary, full run' }, load: async () => (await import('./cutover.js')).registerCutover },
  { summaries: { rollback: 'undo one run\'s effects on the board from its journal' }, load: async () => (await import('./rollback.js')).registerRollback },
  { summaries: { backup: 'back up the environment\'s database (SQLite copy or pg_dump)' }, load: async () => (await import('./backup.js')).registerBackup },
];
