import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppDispatch, useAppSelector, useOrder } from '../../app/hooks';
import { cityName, countyName, formatTime, stationName } from '../../i18n';
import { Avatars } from '../presence/Avatars';
import { orderOpened } from './boardSlice';
import { SlaCountdown } from './SlaCountdown';

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
  const entry = useOrder(id);
  const viewers = useAppSelector((s) => s.presence.byOrder[id]);
  if (!entry) return null;
  const o = entry.order;
  const d = o.draft;
  return (
    <div
      role="row"
      aria-rowindex={index + 2}
      aria-selected={selected}
      className={`row${selected ? ' selected' : ''}${open ? ' open' : ''} prio-${d.priority}`}
      style={{ transform: `translateY(${start}px)` }}
      data-testid="board-row"
      data-order-id={id}
      data-state={o.state}
      onClick={() => dispatch(orderOpened(id))}
    >
      <span className="c-id mono">{id}</span>
      <span className="c-type">{t(`types.${d.type}`)}</span>
      <span className={`c-state state-${o.state}`}>{t(`states.${o.state}`)}</span>
      <span className={`c-prio p-${d.priority}`}>{t(`priorities.${d.priority}`)}</span>
      <span className="c-region">
        {cityName(d.region.city)}·{countyName(d.region.city, d.region.county)}
      </span>
      <span className="c-address" title={d.address}>
        {d.address}
      </span>
      <span className="c-caller mono">{d.callerNumber}</span>
      <span className="c-station">{stationName(o.stationId)}</span>
      <span className="c-created mono">{formatTime(o.createdAt)}</span>
      <span className="c-sla">
        <SlaCountdown order={o} />
      </span>
      <span className="c-presence">
        <Avatars users={viewers} testId={`presence-${id}`} />
      </span>
    </div>
  );
});
