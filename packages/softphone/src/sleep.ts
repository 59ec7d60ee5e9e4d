// A laptop that slept leaves a softphone whose WebSocket may be dead while every timer says nothing happened. A
// timer that fires much later than scheduled is the tell: the wall clock moved on while the machine was not running.
// (A hidden tab's timers are also throttled, to once a minute at worst; a false alarm costs one keep-alive.)

/** How long the machine was away beyond the scheduled interval, or 0 when the tick came about on time. */
export function sleptFor(lastTick: number, now: number, intervalMs: number, thresholdMs: number): number {
  const late = now - lastTick - intervalMs;
  return late > thresholdMs ? late : 0;
}

export interface SleepDetectorOptions {
  intervalMs: number;
  thresholdMs: number;
  now?: () => number;
  setInterval?: (f: () => void, ms: number) => unknown;
  clearInterval?: (handle: unknown) => void;
}

/** Calls `onWake(ms)` when a tick arrives `thresholdMs` or more later than scheduled. */
export class SleepDetector {
  private handle: unknown = null;
  private last = 0;
  private readonly now: () => number;

  constructor(
    private readonly o: SleepDetectorOptions,
    private readonly onWake: (sleptMs: number) => void,
  ) {
    this.now = o.now ?? Date.now;
  }

  start(): void {
    if (this.handle !== null) return;
    this.last = this.now();
    const set = this.o.setInterval ?? ((f: () => void, ms: number) => setInterval(f, ms));
    this.handle = set(() => this.tick(), this.o.intervalMs);
  }

  stop(): void {
    if (this.handle === null) return;
    const clear = this.o.clearInterval ?? ((h: unknown) => clearInterval(h as ReturnType<typeof setInterval>));
    clear(this.handle);
    this.handle = null;
  }

  /** One tick (the interval calls it; tests call it with a chosen clock). */
  tick(): void {
    const now = this.now();
    const slept = sleptFor(this.last, now, this.o.intervalMs, this.o.thresholdMs);
    this.last = now;
    if (slept > 0) this.onWake(slept);
  }
}
