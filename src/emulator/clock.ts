/**
 * Limits, cursors and idempotency keys are measured on an emulated clock that runs
 * `timeScale` times faster than the wall clock, so a benchmark can live through many
 * "minutes" of budget in seconds. Timestamps shown to clients stay wall-clock.
 */
export class Clock {
  private readonly realStart = performance.now();
  private offsetMs = 0;

  constructor(readonly timeScale: number) {
    if (!(timeScale > 0)) throw new RangeError('timeScale must be positive');
  }

  /** Emulated milliseconds since start. */
  now(): number {
    return (performance.now() - this.realStart) * this.timeScale + this.offsetMs;
  }

  /** Jump the emulated clock forward (expire cursors or idempotency keys in a test). */
  advance(emulatedMs: number): void {
    this.offsetMs += emulatedMs;
  }

  /** Wall-clock seconds a client waits for `emulatedMs` to pass, rounded up. */
  realSeconds(emulatedMs: number): number {
    return Math.max(0, Math.ceil(emulatedMs / this.timeScale / 1000));
  }

  realMs(emulatedMs: number): number {
    return emulatedMs / this.timeScale;
  }
}

export function isoNow(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}
