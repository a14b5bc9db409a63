import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Store } from './model.js';
import { boardRecord, dumpState, itemRecord, type BoardRecord, type ItemRecord, type StateFile } from './seed.js';

/** One journal line: what a write request changed, and the id counters after it. */
interface JournalEntry {
  counters: StateFile['counters'];
  boards: BoardRecord[];
  items: ItemRecord[];
}

/** The journal is folded into the state file once it grows past this. */
const COMPACT_BYTES = 32 * 1024 * 1024;

/**
 * `--state FILE`: the state file plus an append-only journal beside it (FILE.journal). Every
 * write request appends what it changed (whole records, so replay is idempotent) and fsyncs
 * before its answer is sent: an acknowledged write survives SIGKILL or power loss, and the id
 * counters in every entry mean a restart never hands out an id again. At start the journal is
 * replayed over the file (a torn last line was never acknowledged and is dropped) and the two
 * are compacted into a new file, written to a temporary name, fsynced and renamed.
 */
export class StatePersistence {
  private readonly journalPath: string;
  private fd: number | undefined;
  private journalBytes = 0;
  private generation = -1;
  /** Boards as last written, to journal only the ones a request changed. */
  private boardText = new Map<string, string>();

  constructor(
    private readonly path: string,
    private readonly store: Store,
  ) {
    this.journalPath = `${path}.journal`;
  }

  /** The saved state with its journal replayed, or undefined when there is none. */
  read(): StateFile | undefined {
    const base = existsSync(this.path) ? (JSON.parse(readFileSync(this.path, 'utf8')) as StateFile) : undefined;
    const entries = existsSync(this.journalPath) ? readJournal(readFileSync(this.journalPath, 'utf8')) : [];
    if (entries.length === 0) return base;
    const boards = new Map((base?.boards ?? []).map((b) => [b.id, b]));
    const items = new Map((base?.items ?? []).map((i) => [i.id, i]));
    let counters = base?.counters ?? { lastId: 0, shortSeq: 0 };
    for (const e of entries) {
      for (const b of e.boards) boards.set(b.id, b);
      for (const i of e.items) items.set(i.id, i);
      counters = { lastId: Math.max(counters.lastId, e.counters.lastId), shortSeq: Math.max(counters.shortSeq, e.counters.shortSeq) };
    }
    const sorted = [...items.values()].sort((a, b) => Number(a.id) - Number(b.id));
    return { format: 'ordersync-emulator-state', version: 1, counters, boards: [...boards.values()], items: sorted };
  }

  /** After a write request, before its answer: journal what changed, durably. */
  record(): void {
    if (this.store.generation !== this.generation || this.journalBytes > COMPACT_BYTES) {
      this.compact();
      return;
    }
    const boards: BoardRecord[] = [];
    for (const b of this.store.boards.values()) {
      const record = boardRecord(b);
      const text = JSON.stringify(record);
      if (this.boardText.get(b.id) === text) continue;
      this.boardText.set(b.id, text);
      boards.push(record);
    }
    const items = this.store.takeChanged().flatMap((id) => {
      const item = this.store.items.get(id);
      return item ? [itemRecord(item)] : [];
    });
    const entry: JournalEntry = { counters: this.store.counters(), boards, items };
    const line = `${JSON.stringify(entry)}\n`;
    this.fd ??= openSync(this.journalPath, 'a', 0o600);
    writeSync(this.fd, line);
    fsyncSync(this.fd);
    this.journalBytes += Buffer.byteLength(line);
  }

  /** The whole state into the file (atomically, durably), then an empty journal. */
  compact(): void {
    const state = dumpState(this.store);
    this.store.takeChanged();
    writeDurably(this.path, JSON.stringify(state));
    this.boardText = new Map(state.boards.map((b) => [b.id, JSON.stringify(b)]));
    if (this.fd !== undefined) closeSync(this.fd);
    // Replaying the old journal over the new file would change nothing: truncating it after the rename is safe.
    this.fd = openSync(this.journalPath, 'w', 0o600);
    fsyncSync(this.fd);
    this.journalBytes = 0;
    this.generation = this.store.generation;
  }

  close(): void {
    this.compact();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

function readJournal(text: string): JournalEntry[] {
  const out: JournalEntry[] = [];
  const lines = text.split('\n');
  // Only the last line can be torn (a kill mid-append): it was never acknowledged.
  for (const [n, line] of lines.entries()) {
    if (line === '') continue;
    try {
      out.push(JSON.parse(line) as JournalEntry);
    } catch (err) {
      if (n === lines.length - 1) break;
      throw new Error(`emulator journal: line ${n + 1} is not valid JSON (${err instanceof Error ? err.message : String(err)})`);
    }
  }
  return out;
}

function writeDurably(path: string, text: string): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  const dir = openSync(dirname(path), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}
