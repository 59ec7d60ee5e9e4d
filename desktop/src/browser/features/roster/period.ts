// The period the crews and ratings panels show: the live board (folded in the board worker, as it changes), or a
// period asked of the centre (GET /api/figures), which counts the orders archived off the live board too.
import { useEffect, useState } from 'react';
import { FiguresReportSchema } from '@twinline/board/crew-figures';
import type { FiguresReport } from '@twinline/board/crew-figures';
import { toZoned } from '@twinline/workorder';
import { useAppSelector, useRuntime } from '../../app/hooks';
import { i18n } from '../../i18n';
import { CentreApiError, centreJson } from '../session/centreApi';

export const PERIODS = ['live', 'days7', 'days30', 'month'] as const;
export type Period = (typeof PERIODS)[number];

/** A year over every city can take the centre a few seconds: wait this long before trying the twin. */
const FIGURES_TIMEOUT_MS = 30_000;

/**
 * The instants [from, to) of a period at `now`, in China time (Asia/Shanghai): the last 7 or 30 calendar days with
 * today (from midnight six or 29 days ago), or this month from its first midnight; each up to now.
 */
export function periodRange(period: Exclude<Period, 'live'>, now: Date = new Date()): { from: string; to: string } {
  const end = toZoned(now);
  const start =
    period === 'month' ? end.startOf('month') : end.startOf('day').minus({ days: period === 'days7' ? 6 : 29 });
  return { from: start.toISO()!, to: end.toISO()! };
}

/** The period query for the centre: `city` omitted means every city the user may read. */
export function figuresPath(range: { from: string; to: string }, city?: string): string {
  return `/api/figures?${new URLSearchParams({ ...(city ? { city } : {}), from: range.from, to: range.to })}`;
}

/** What the user is told when the centre's figures cannot be shown. */
export function figuresError(error: unknown): string {
  if (error instanceof CentreApiError) {
    if (error.status === 0) return i18n.t('figures.noCentre');
    if (error.badReply) return i18n.t('figures.badReply');
    return i18n.t('figures.refused', { message: error.message });
  }
  return error instanceof Error ? error.message : String(error);
}

export type CentreFigures =
  | { status: 'live' }
  | { status: 'loading' }
  | { status: 'done'; report: FiguresReport; via: string }
  | { status: 'failed'; error: string };

/**
 * The centre's figures for `period` (and `city`, or every city the user may read), asked again when either changes or
 * `refresh` counts up; the centre the board is on first, then the twin.
 */
export function useCentreFigures(period: Period, city: string | undefined, refresh: number): CentreFigures {
  const rt = useRuntime();
  const settings = useAppSelector((s) => s.session.settings);
  const centre = useAppSelector((s) => s.connection.centre);
  const [state, setState] = useState<CentreFigures>({ status: 'live' });
  useEffect(() => {
    if (period === 'live') {
      setState({ status: 'live' });
      return;
    }
    const token = rt.session?.stored.token;
    if (!settings || !token) {
      setState({ status: 'failed', error: i18n.t('figures.noCentre') });
      return;
    }
    let current = true;
    setState({ status: 'loading' });
    centreJson(
      settings.centres,
      centre ?? rt.session!.stored.home,
      token,
      figuresPath(periodRange(period), city),
      FiguresReportSchema,
      { timeoutMs: FIGURES_TIMEOUT_MS },
    ).then(
      ({ value, via }) => current && setState({ status: 'done', report: value, via }),
      (error: unknown) => current && setState({ status: 'failed', error: figuresError(error) }),
    );
    return () => {
      current = false;
    };
  }, [rt, settings, centre, period, city, refresh]);
  return state;
}
