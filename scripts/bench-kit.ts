// Small helpers every benchmark module uses (percentiles, rounding, file sizes). The runner is scripts/bench.ts.
import { statSync } from 'node:fs';

/** The p-th percentile (0-100) of `xs`, nearest rank. */
export const pct = (xs: readonly number[], p: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

export const round = (n: number, d = 2): number => Math.round(n * 10 ** d) / 10 ** d;

/** A file's size in bytes, 0 when it does not exist. */
export const fileSize = (file: string): number => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};
