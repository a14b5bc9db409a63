import { isoNow, type Clock } from './clock.js';

/**
 * bulk_archive_items answers with a job id; monday runs it asynchronously, the emulator
 * finishes it at once. The job remembers what it archived so `undo_action` can restore it —
 * the only way the 2026-10 API offers to bring archived items back. How long monday keeps a
 * job undoable is not documented; the emulator's window is `undoTtlMinutes` of emulated time.
 */
export interface BulkJob {
  id: string;
  itemIds: string[];
  status: 'COMPLETED' | 'CANCELLED';
  createdAt: string;
  updatedAt: string;
  /** Emulated clock reading when the job ran. */
  ranAt: number;
}

export class Jobs {
  private readonly jobs = new Map<string, BulkJob>();

  constructor(
    private readonly clock: Clock,
    private readonly undoTtlMs: number,
  ) {}

  add(id: string, itemIds: string[]): BulkJob {
    const now = isoNow();
    const job: BulkJob = { id, itemIds, status: 'COMPLETED', createdAt: now, updatedAt: now, ranAt: this.clock.now() };
    this.jobs.set(id, job);
    return job;
  }

  get(id: string): BulkJob | undefined {
    return this.jobs.get(id);
  }

  undoable(job: BulkJob): boolean {
    return this.clock.now() - job.ranAt <= this.undoTtlMs;
  }

  clear(): void {
    this.jobs.clear();
  }
}
