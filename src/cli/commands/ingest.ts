import { resolve } from 'node:path';
import type { Command } from 'commander';
import { ExitCode } from '../../errors.js';
import { ingestFile, type IngestReport } from '../../ingest/index.js';
import { formatSource } from '../../ingest/source-columns.js';
import { cliPrefix, confirmWrite, loadCliConfig, print, printJson, withDb } from '../context.js';
import { positiveInteger } from '../options.js';

export function registerIngest(program: Command): void {
  program
    .command('ingest')
    .argument('<file>', 'order list to load: .csv (UTF-8, header row first) or .xlsx (the first visible sheet, or --sheet)')
    .description(
      "Load an order-list file into the environment's staging table (staging.table), in one transaction. " +
        'A missing table is created from the file header (all columns text, in file order, so the size markers work). ' +
        'Blank rows (every field empty, as spreadsheets export them) are skipped and counted. ' +
        'Rows that cannot be loaded (wrong field count, values beyond the header) are rejected and listed with their row numbers. ' +
        'The header must hold the key column(s) (staging.key_columns) and at most as many columns as the engine allows in a table. ' +
        'A workbook is refused before parsing when it declares more than ingest.max_xlsx_uncompressed_mb (200 MB) uncompressed; ' +
        'merged cells are warned about with their range (the cells they cover load empty). ' +
        'Exit code 0 when every non-blank row loaded cleanly, 2 when some were rejected or a warning was given, 4 (nothing loaded) when a running merge is reading the table ' +
        '(a merge reads one snapshot of staging; SQLite waits up to 10 s first). Run `ordersync merge` next.',
    )
    .option('--replace', "delete the table's rows first (same transaction); default appends")
    .option('--json', 'machine-readable output (the full report)')
    .option('--show <n>', 'rejected rows to list', positiveInteger('--show'), 20)
    .option('--sheet <name>', '.xlsx: load this sheet (by tab name, hidden ones included) instead of the first visible one')
    .action(async (file: string, opts: { replace?: boolean; json?: boolean; show: number; sheet?: string }, cmd: Command) => {
      const cfg = loadCliConfig(cmd);
      confirmWrite(cmd, cfg);
      const report = await withDb(cfg, (db) =>
        ingestFile(db.raw, {
          path: resolve(file),
          table: cfg.settings.staging.table,
          dialect: db.dialect,
          replace: opts.replace ?? false,
          keyColumns: cfg.settings.staging.key_columns,
          sheet: opts.sheet,
          maxXlsxUncompressedMb: cfg.settings.ingest.max_xlsx_uncompressed_mb,
        }),
        // Loading staging needs no migrated schema; it may be the first thing done on a new database.
        { create: true, anySchema: true },
      );
      if (opts.json) printJson(report);
      else print(`${formatIngestReport(report, opts.show)}\nnext: ${cliPrefix(cmd)} plan    # what the next run would change; then \`run\``);
      return report.rowsRejected > 0 || report.warnings.length > 0 ? ExitCode.degraded : ExitCode.ok;
    });
}

export function formatIngestReport(r: IngestReport, show: number): string {
  const lines = [
    `ingest ${r.file} (${r.format}${r.sheet === undefined ? '' : `, sheet ${JSON.stringify(r.sheet)}`}) → "${r.table}"${r.created ? ' (table created)' : r.replaced ? ' (rows replaced)' : ' (appended)'}: ` +
      `${r.rowsRead} rows read, ${r.rowsLoaded} loaded, ${r.rowsBlank} blank skipped, ${r.rowsRejected} rejected, ${r.columns.length} columns, ${r.durationMs} ms`,
  ];
  if (r.rowsRejected > 0) {
    lines.push(`rejected by reason: ${Object.entries(r.rejectedByReason).map(([k, n]) => `${k}: ${n}`).join('; ')}`);
    for (const x of r.rejected.slice(0, show)) lines.push(`  ${formatSource(x)}: ${x.reason}`);
    if (r.rowsRejected > Math.min(show, r.rejected.length)) lines.push(`  … ${r.rowsRejected - Math.min(show, r.rejected.length)} more (--show N or --json)`);
  }
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}
