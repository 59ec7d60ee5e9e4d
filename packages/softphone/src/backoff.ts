// Reconnection delays: exponential with jitter, so a thousand softphones that lost the same centre do not knock on
// the twin in the same millisecond.

export interface BackoffOptions {
  /** The first delay (ms). */
  baseMs: number;
  /** The longest delay (ms). */
  maxMs: number;
  /** Growth per attempt; default 2. */
  factor?: number;
  /** Share of each delay that is random, 0…1; default 0.5 ("equal jitter"). */
  jitter?: number;
}

/** Delay before retry number `attempt` (1 = the first retry): min(max, base·factor^(attempt-1)), partly random. */
export function backoffDelay(attempt: number, o: BackoffOptions, random: () => number = Math.random): number {
  if (attempt < 1) return 0;
  const factor = o.factor ?? 2;
  const jitter = Math.min(1, Math.max(0, o.jitter ?? 0.5));
  const ceiling = Math.min(o.maxMs, o.baseMs * factor ** (attempt - 1));
  return Math.round(ceiling * (1 - jitter) + random() * ceiling * jitter);
}
