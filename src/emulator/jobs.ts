import { isoNow } from './clock.js';

/**
 * bulk_archive_items answers with a job id; monday runs it asynchronously, the emulator
 * finishes it at once. The job remembers what it archived so `undo_action` can restore it —
 * the only way the 2026-10 API offers to bring archived items back.
 */
export interface BulkJob {
  id: string;
  itemIds: string[];
  status: 'COMPLETED' | 'CANCELLED';
  createdAt: string;
  updatedAt: string;
}

export class Jobs {
  private readonly jobs = new Map<string, BulkJob>();

  add(id: string, itemIds: string[]): BulkJob {
    const now = isoNow();
    const job: BulkJob = { id, itemIds, status: 'COMPLETED', createdAt: now, updatedAt: now };
    this.jobs.set(id, job);
    return job;
  }

  get(id: string): BulkJob | undefined {
    return this.jobs.get(id);
  }

  clear(): void {
    this.jobs.clear();
  }
}
