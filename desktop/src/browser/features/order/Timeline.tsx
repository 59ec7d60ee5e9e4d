import { useTranslation } from 'react-i18next';
import { SYSTEM_USER } from '@twinline/workorder';
import type { OrderEvent } from '@twinline/workorder';
import type { SupersededEvent } from '@twinline/board';
import { formatTime, stationName } from '../../i18n';
import { EvidencePhotos } from './EvidencePhotos';

type Item = { event: OrderEvent; superseded?: SupersededEvent };

/** The order's history with the events that lost a race shown in place, marked, with their reason. */
export function Timeline({
  history,
  superseded,
  crews,
}: {
  history: OrderEvent[];
  superseded: SupersededEvent[];
  /** Crew names by id (the roster's); an id not in it is shown as it is. */
  crews: Record<string, string>;
}) {
  const { t } = useTranslation();
  const items: Item[] = [
    ...history.map((event) => ({ event })),
    ...superseded.map((s) => ({ event: s.event, superseded: s })),
  ];
  items.sort((a, b) => a.event.at.localeCompare(b.event.at) || (a.superseded ? 1 : 0) - (b.superseded ? 1 : 0));
  return (
    <ol className="timeline" data-testid="order-timeline">
      {items.map(({ event: e, superseded: s }) => (
        <li
          key={e.id}
          className={s ? 'superseded' : ''}
          data-testid={s ? 'timeline-superseded' : 'timeline-event'}
          data-action={e.action}
        >
          <span className="t-time mono">{formatTime(e.at)}</span>
          <span className="t-action">{t(`actions.${e.action}`)}</span>
          <span className="t-who">
            {e.by.userId === SYSTEM_USER ? (
              t('order.system')
            ) : (
              <>
                {e.by.role === 'crew' ? (crews[e.by.userId] ?? e.by.userId) : e.by.userId}
                <span className="muted"> · {t(`roles.${e.by.role}`)}</span>
              </>
            )}
          </span>
          <span className="t-detail">
            {e.stationId && t('order.event.toStation', { station: stationName(e.stationId) })}
            {e.crewId && t('order.event.toCrew', { crew: crews[e.crewId] ?? e.crewId })}
            {e.masterId && t('order.event.master', { id: e.masterId })}
            {e.satisfaction && t('order.event.satisfaction', { value: t(`satisfaction.${e.satisfaction}`) })}
            {e.reason && t('order.event.reason', { reason: e.reason })}
            {e.note && t('order.event.note', { note: e.note })}
            {e.score !== undefined && t('order.event.score', { score: e.score })}
          </span>
          {e.evidence && (
            <span
              className="t-evidence"
              data-testid="timeline-evidence"
              data-flags={e.evidence.flags.map((f) => f.code).join(' ')}
            >
              {e.evidence.offline && <span className="tag">{t('order.evidence.offline')}</span>}
              {e.evidence.distanceM !== undefined &&
                t('order.evidence.distance', { km: (e.evidence.distanceM / 1000).toFixed(1) })}
              {e.evidence.photos.length > 0 && ` · ${t('order.evidence.photos', { count: e.evidence.photos.length })}`}
              {` · ${t('order.evidence.serverAt', { time: formatTime(e.evidence.serverAt) })}`}
              {e.evidence.flags.map((f) => (
                <span key={f.code} className="tag warn" title={f.detail}>
                  {t(`order.evidence.flags.${f.code}`, { defaultValue: f.code })}
                </span>
              ))}
              <EvidencePhotos photos={e.evidence.photos} centre={e.by.centre} />
            </span>
          )}
          {s && (
            <span className="t-superseded" title={s.reason}>
              {t('order.superseded')}
              <span className="detail">{s.reason}</span>
            </span>
          )}
        </li>
      ))}
    </ol>
  );
}
