import { existsSync, readFileSync } from 'node:fs';
import { writePrivateFileSync } from '../private-file.js';
import type { StateFile } from './seed.js';

const SAVE_DELAY_MS = 200;

/**
 * Optional JSON persistence: writes are coalesced (a batch of mutations saves once) and
 * atomic (temp file, then rename), and `flush` saves synchronously on close.
 */
export class StatePersistence {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly path: string,
    private readonly dump: () => StateFile,
  ) {}

  read(): StateFile | undefined {
    return existsSync(this.path) ? (JSON.parse(readFileSync(this.path, 'utf8')) as StateFile) : undefined;
  }

  schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), SAVE_DELAY_MS);
    this.timer.unref();
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    writePrivateFileSync(this.path, JSON.stringify(this.dump()));
  }
}
