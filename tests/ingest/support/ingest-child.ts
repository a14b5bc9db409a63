// Runs one ingest in a child process whose heap is capped, and reports rows and peak RSS growth.
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { ingestFile } from '../../../src/ingest/index.js';

const [path, dbPath] = process.argv.slice(2) as [string, string];
const db = new Kysely<any>({ dialect: new SqliteDialect({ database: new Database(dbPath) }) });
const base = process.memoryUsage().rss;
let peak = base;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 10);
const report = await ingestFile(db, { path, table: 'staging', dialect: 'sqlite' });
clearInterval(sampler);
await db.destroy();
process.stdout.write(JSON.stringify({ rowsLoaded: report.rowsLoaded, peakRssDelta: peak - base }));
