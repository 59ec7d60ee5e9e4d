import { useCallback, useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useAppSelector, useRuntime } from '../../app/hooks';
import { Filters } from './Filters';
import { InboxLanes } from './InboxLanes';
import { OrderRow } from './OrderRow';

export const ROW_HEIGHT = 30;
const estimateSize = () => ROW_HEIGHT;

export function BoardView() {
  const { t } = useTranslation();
  const { board } = useRuntime();
  const ids = useAppSelector(board.selectVisibleIds);
  const cursorId = useAppSelector((s) => s.board.cursorId);
  const openId = useAppSelector((s) => s.board.openId);
  const anyOrders = useAppSelector((s) => board.selectRoleCount(s) > 0);
  const status = useAppSelector((s) => s.connection.status);
  const scrollRef = useRef<HTMLDivElement>(null);
  // Stable callbacks: a new getItemKey on every render would make the virtualizer rebuild the measurements of all
  // 20,000 rows on every scroll step.
  const getItemKey = useCallback((i: number) => ids[i]!, [ids]);
  const getScrollElement = useCallback(() => scrollRef.current, []);
  const virtualizer = useVirtualizer({
    count: ids.length,
    getScrollElement,
    estimateSize,
    overscan: 12,
    getItemKey,
  });

  // Keep the cursor row in view when j/k moves it.
  const cursorIndex = cursorId ? ids.indexOf(cursorId) : -1;
  useEffect(() => {
    if (cursorIndex >= 0) virtualizer.scrollToIndex(cursorIndex, { align: 'auto' });
  }, [cursorIndex, virtualizer]);

  return (
    <section className="board" aria-label="board">
      <Filters />
      <InboxLanes />
      <div className="grid-head" role="row">
        <span className="c-id">{t('board.columns.id')}</span>
        <span className="c-type">{t('board.columns.type')}</span>
        <span className="c-state">{t('board.columns.state')}</span>
        <span className="c-prio">{t('board.columns.priority')}</span>
        <span className="c-region">{t('board.columns.region')}</span>
        <span className="c-address">{t('board.columns.address')}</span>
        <span className="c-caller">{t('board.columns.caller')}</span>
        <span className="c-station">{t('board.columns.station')}</span>
        <span className="c-created">{t('board.columns.created')}</span>
        <span className="c-sla">{t('board.columns.sla')}</span>
        <span className="c-presence">{t('board.columns.presence')}</span>
      </div>
      <div className="grid-body" ref={scrollRef} role="grid" aria-rowcount={ids.length} data-testid="board-list">
        {ids.length === 0 ? (
          <p className="empty" data-testid="board-empty">
            {!anyOrders && status !== 'synced' ? t('board.loading') : t('board.empty')}
          </p>
        ) : (
          <div className="grid-rows" style={{ height: virtualizer.getTotalSize() }}>
            {virtualizer.getVirtualItems().map((item) => {
              const id = ids[item.index]!;
              return (
                <OrderRow
                  key={id}
                  id={id}
                  index={item.index}
                  start={item.start}
                  selected={id === cursorId}
                  open={id === openId}
                />
              );
            })}
          </div>
        )}
      </div>
    </section>
  );
}
