// SLA figures for the board, computed with @twinline/workorder's rules and cached per folded order object (an
// order that did not change keeps its object, so it is never recomputed).
//
// Speed: the default policy counts in Asia/Shanghai, and Luxon resolves an IANA zone through Intl on every step
// (about 330 µs per order: 6.6 s for 20,000). China has had no daylight saving time since 1991, so the same calendars
// in the fixed zone UTC+8 give the same instants (checked in sla.test.ts) about 3.5x faster. Even so 20,000 orders
// take ~2 s, so the board warms the cache in the background (warmSla) instead of computing on first render.
import { DEFAULT_POLICY, deadlinesFor, slaStatus } from '@twinline/workorder';
import type { SlaPolicy, SlaStatus, WorkOrder } from '@twinline/workorder';

function fixedOffsetPolicy(policy: SlaPolicy): SlaPolicy {
  const calendars = Object.fromEntries(
    Object.entries(policy.calendars).map(([name, cal]) => [
      name,
      cal.zone === 'Asia/Shanghai' ? { ...cal, zone: 'UTC+8' } : cal,
    ]),
  );
  return { ...policy, calendars };
}

export const BOARD_POLICY: SlaPolicy = fixedOffsetPolicy(DEFAULT_POLICY);

export interface SlaKey {
  /** Epoch ms of the earliest open milestone, or null when the order owes nothing now. */
  nextDueMs: number | null;
}

const cache = new WeakMap<WorkOrder, SlaKey>();

export function slaKey(order: WorkOrder): SlaKey {
  let key = cache.get(order);
  if (!key) {
    let next: number | null = null;
    if (order.state !== 'merged') {
      for (const d of deadlinesFor(order, BOARD_POLICY)) {
        if (d.metAt !== undefined) continue;
        const due = Date.parse(d.due);
        if (next === null || due < next) next = due;
      }
    }
    key = { nextDueMs: next };
    cache.set(order, key);
  }
  return key;
}

/** The cached key, without computing it. */
export function peekSlaKey(order: WorkOrder): SlaKey | undefined {
  return cache.get(order);
}

/** The order's status against its SLA at `now` (what a row's countdown shows). */
export function rowSla(order: WorkOrder, now: number): SlaStatus {
  return slaStatus(order, new Date(now), BOARD_POLICY);
}

/**
 * Computes keys for `orders` in slices of `sliceMs` (yielding to the page between slices) and calls `progress` at
 * most every `reportMs` and at the end. Returns a cancel function.
 */
export function warmSla(
  orders: readonly WorkOrder[],
  progress: () => void,
  opts: { sliceMs?: number; reportMs?: number; schedule?: (fn: () => void) => void } = {},
): () => void {
  const sliceMs = opts.sliceMs ?? 12;
  const reportMs = opts.reportMs ?? 1000;
  const schedule = opts.schedule ?? ((fn) => setTimeout(fn, 0));
  let i = 0;
  let cancelled = false;
  let lastReport = performance.now();
  const step = () => {
    if (cancelled) return;
    const start = performance.now();
    while (i < orders.length && performance.now() - start < sliceMs) slaKey(orders[i++]!);
    if (i >= orders.length) return progress();
    if (performance.now() - lastReport >= reportMs) {
      lastReport = performance.now();
      progress();
    }
    schedule(step);
  };
  schedule(step);
  return () => {
    cancelled = true;
  };
}

/** `1:05:09`, `12:30`, `-3:02` (overdue), `2天3时` for long spans. */
export function formatRemaining(ms: number, dayWord: { d: string; h: string }): string {
  const sign = ms < 0 ? '-' : '';
  const total = Math.floor(Math.abs(ms) / 1000);
  const days = Math.floor(total / 86400);
  const h = Math.floor((total % 86400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (days > 0) return `${sign}${days}${dayWord.d}${h}${dayWord.h}`;
  const mm = String(m).padStart(2, '0');
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${sign}${h}:${mm}:${ss}` : `${sign}${m}:${ss}`;
}
