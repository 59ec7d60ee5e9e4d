import { memo, useMemo, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { SlaLevel, SlaStatus } from '@twinline/workorder';
import { useNow } from '../../app/clock';
import { formatRemaining, rowSla } from './sla';
import type { BoardRow } from './types';

/** How often the level (which needs business-calendar arithmetic) is recomputed; the text changes every second. */
const LEVEL_REFRESH_MS = 10_000;

/**
 * The next SLA deadline of one order, counting down every second. Only this component re-renders on a tick; the
 * status (and its level) is recomputed when the order changes, every 10 s, and the moment the deadline passes.
 */
export const SlaCountdown = memo(function SlaCountdown({ row, long }: { row: BoardRow; long?: boolean }) {
  const { t } = useTranslation();
  const now = useNow();
  const cached = useRef<{ row: BoardRow; at: number; status: SlaStatus } | null>(null);
  let c = cached.current;
  const due = c?.status.next ? Date.parse(c.status.next.due) : null;
  if (
    !c ||
    c.row !== row ||
    now - c.at >= LEVEL_REFRESH_MS ||
    (due !== null && due <= now && c.status.next?.level !== 'overdue' && !c.status.next?.paused)
  ) {
    c = { row, at: now, status: rowSla(row, now) };
    cached.current = c;
  }
  const next = c.status.next;
  const dayWord = useMemo(() => ({ d: t('sla.day'), h: t('sla.hour') }), [t]);
  if (!next) {
    return (
      <span className="sla sla-none" data-level="none">
        {t('sla.none')}
      </span>
    );
  }
  // A paused clock stands still at what was left when it stopped (it may be overdue by then).
  const remaining = next.paused ? next.remainingMs : Date.parse(next.due) - now;
  const level: SlaLevel = next.paused ? 'paused' : remaining <= 0 ? 'overdue' : next.level;
  return (
    <span className={`sla sla-${level}`} data-level={level} title={`${t(`sla.kinds.${next.kind}`)} ${next.due}`}>
      {long && <span className="sla-kind">{t(`sla.kinds.${next.kind}`)}</span>}
      {next.paused && <span className="sla-late">{t('sla.paused')}</span>}
      {remaining < 0 && <span className="sla-late">{t('sla.overdueBy')}</span>}
      {formatRemaining(Math.abs(remaining), dayWord)}
    </span>
  );
});
