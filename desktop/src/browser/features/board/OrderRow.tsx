import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppDispatch, useAppSelector, useOrder, useRuntime } from '../../app/hooks';
import { outageCountsAt } from '../outages/counts';
import { cityName, countyName, formatTime, stationName } from '../../i18n';
import { Avatars } from '../presence/Avatars';
import { orderOpened } from './boardSlice';
import { SlaCountdown } from './SlaCountdown';

/** On an outage's row: the orders merged under it and the orders from its area since it was declared. */
function OutageBadge({ id }: { id: string }) {
  const { t } = useTranslation();
  const rt = useRuntime();
  const version = useAppSelector((s) => s.board.ordersVersion);
  const c = outageCountsAt(version, () => rt.orders.values()).get(id);
  if (!c) return null;
  return (
    <span className="tag warn" data-testid="outage-counts" data-merged={c.merged} data-in-area={c.inArea}>
      {t('outage.counts', { merged: c.merged, inArea: c.inArea })}
    </span>
  );
}

/** One board row. Subscribes to its own order and presence only, so a change elsewhere does not render it. */
export const OrderRow = memo(function OrderRow({
  id,
  index,
  start,
  selected,
  open,
}: {
  id: string;
  index: number;
  start: number;
  selected: boolean;
  open: boolean;
}) {
  const { t } = useTranslation();
  const dispatch = useAppDispatch();
  const r = useOrder(id);
  const viewers = useAppSelector((s) => s.presence.byOrder[id]);
  if (!r) return null;
  return (
    <div
      role="row"
      aria-rowindex={index + 2}
      aria-selected={selected}
      className={`row${selected ? ' selected' : ''}${open ? ' open' : ''} prio-${r.priority}`}
      style={{ transform: `translateY(${start}px)` }}
      data-testid="board-row"
      data-order-id={id}
      data-state={r.state}
      onClick={() => dispatch(orderOpened(id))}
    >
      <span className="c-id mono">{id}</span>
      <span className="c-type">{t(`types.${r.type}`)}</span>
      <span className={`c-state state-${r.state}`}>{t(`states.${r.state}`)}</span>
      <span className={`c-prio p-${r.priority}`}>{t(`priorities.${r.priority}`)}</span>
      <span className="c-region">
        {cityName(r.city)}·{countyName(r.city, r.county)}
      </span>
      <span className="c-address" title={r.address}>
        {r.outage && <OutageBadge id={id} />}
        {r.sentBack && (
          <span
            className="tag warn"
            data-testid="row-sent-back"
            title={t('board.sentBackTitle', {
              station: stationName(r.sentBack.stationId),
              time: formatTime(r.sentBack.at),
              reason: r.sentBack.reason,
            })}
          >
            {t('board.sentBack', { reason: r.sentBack.reason })}
          </span>
        )}
        {r.urges !== undefined && (
          <span className="tag warn" data-testid="row-urges">
            {t('board.urges', { count: r.urges })}
          </span>
        )}
        {r.address}
      </span>
      <span className="c-caller mono">{r.callerNumber}</span>
      <span className="c-station">{stationName(r.stationId)}</span>
      <span className="c-created mono">{formatTime(r.createdAt)}</span>
      <span className="c-sla">
        <SlaCountdown row={r} />
      </span>
      <span className="c-presence">
        <Avatars users={viewers} testId={`presence-${id}`} />
      </span>
    </div>
  );
});
