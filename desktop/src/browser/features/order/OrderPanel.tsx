import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { CREATE_ROLES, isActiveOutage } from '@twinline/workorder';
import type { WorkOrder } from '@twinline/workorder';
import { useAppDispatch, useAppSelector, useRuntime } from '../../app/hooks';
import { centreJson } from '../session/centreApi';
import { useOpenOrder } from './useOpenOrder';
import { dial } from '../phone/thunks';
import { countyName, formatTime, stationName } from '../../i18n';
import { panelClosed } from '../board/boardSlice';
import { SlaCountdown } from '../board/SlaCountdown';
import { OPEN_STATES } from '../board/types';
import { Avatars } from '../presence/Avatars';
import { ActionBar } from './ActionBar';
import { Comments } from './Comments';
import { DraftFields } from './DraftFields';
import { Timeline } from './Timeline';
import { UpdateRestore } from '../outages/UpdateRestore';
import { setPresence } from './thunks';

export function OrderPanel() {
  const { t } = useTranslation();
  const dispatch = useAppDispatch();
  const openId = useAppSelector((s) => s.board.openId);
  const { row, entry } = useOpenOrder(openId);
  const viewers = useAppSelector((s) => (s.board.openId ? s.presence.byOrder[s.board.openId] : undefined));
  const role = useAppSelector((s) => s.session.account?.role);
  const stationId = useAppSelector((s) => s.session.account?.stationId);
  const known = !!row;

  // Tell the others which order is open here (and nothing once it is closed).
  useEffect(() => {
    dispatch(setPresence(known ? openId : null));
    return () => {
      dispatch(setPresence(null));
    };
  }, [dispatch, openId, known]);

  if (!openId) return null;
  if (!row || !entry) {
    return (
      <aside className="panel" data-testid="order-panel" data-order-id={openId}>
        <header className="panel-head">
          <span className="mono">{openId}</span>
          <span className="spacer" />
          <button
            type="button"
            className="ghost"
            data-testid="order-panel-close"
            onClick={() => dispatch(panelClosed())}
          >
            ✕
          </button>
        </header>
        <p className="muted pad">{row ? t('order.loading') : t('order.notFound')}</p>
      </aside>
    );
  }
  const o = entry.order;
  const editable = !!role && CREATE_ROLES.includes(role) && OPEN_STATES.includes(o.state);
  // Who keeps an outage's expected restoration current: its station's dispatcher, a team lead, an admin.
  const ownsOutage =
    role === 'team_lead' || role === 'admin' || (role === 'dispatcher' && !!stationId && stationId === o.stationId);
  return (
    <aside className="panel" data-testid="order-panel" data-order-id={o.id} data-state={o.state} aria-label={o.id}>
      <header className="panel-head">
        <div className="title">
          <span className="mono id" data-testid="order-id">
            {o.id}
          </span>
          <span className={`badge state-${o.state}`} data-testid="order-state" data-state={o.state}>
            {t(`states.${o.state}`)}
          </span>
          <span className={`badge p-${o.draft.priority}`}>{t(`priorities.${o.draft.priority}`)}</span>
          <SlaCountdown row={row} long />
        </div>
        <span className="spacer" />
        <CrewLink order={o} doc={row?.doc ?? null} />
        <CallBack number={o.draft.callerNumber} />
        <Avatars users={viewers} testId="order-presence" max={5} />
        <button
          type="button"
          className="ghost"
          data-testid="order-panel-close"
          title={`${t('order.close')} (Esc)`}
          onClick={() => dispatch(panelClosed())}
        >
          ✕
        </button>
      </header>
      <div className="panel-body">
        <div className="facts">
          <span>
            {t('order.created')} <b className="mono">{formatTime(o.createdAt)}</b> · {o.createdBy.userId}
          </span>
          {o.stationId && (
            <span>
              {t('order.station')} <b>{stationName(o.stationId)}</b>
            </span>
          )}
          {o.crewId && (
            <span>
              {t('order.crew')}{' '}
              <b data-testid="order-crew" data-crew-id={o.crewId} title={o.crewId}>
                {entry.crews?.[o.crewId] ?? o.crewId}
              </b>
            </span>
          )}
          {o.masterId && (
            <span>
              {t('order.master')} <b className="mono">{o.masterId}</b>
            </span>
          )}
          {o.satisfaction && (
            <span>
              {t('order.satisfaction')} <b>{t(`satisfaction.${o.satisfaction}`)}</b>
            </span>
          )}
          {o.urgeCount > 0 && <span className="tag warn">{t('order.urged', { count: o.urgeCount })}</span>}
          {o.escalation > 0 && <span className="tag warn">{t('order.escalated', { count: o.escalation })}</span>}
          {o.reopenCount > 0 && <span className="tag">{t('order.reopened', { count: o.reopenCount })}</span>}
          {o.acceptedByCrewAt && (
            <span>
              {t('order.crewAccepted')} <b className="mono">{formatTime(o.acceptedByCrewAt)}</b>
            </span>
          )}
          {o.paused && (
            <span className="tag warn" data-testid="order-paused">
              {t('order.paused', { reason: o.paused.reason, time: formatTime(o.paused.at) })}
            </span>
          )}
          {o.callbackAttempts > 0 && (
            <span className="tag">{t('order.callbackAttempts', { count: o.callbackAttempts })}</span>
          )}
          {(['centre', 'station'] as const).map((side) => {
            const ev = o.evaluations[side];
            return ev ? (
              <span key={side} data-testid={`order-evaluation-${side}`}>
                {t(`order.evaluation.${side}`)} <b>{ev.score}/5</b>
                {ev.note ? ` · ${ev.note}` : ''}
              </span>
            ) : null;
          })}
        </div>
        {o.draft.outage && (
          <p
            className="notice notice-warn pop-notice"
            data-testid="order-outage-details"
            data-restore-at={o.draft.outage.expectedRestoreAt}
          >
            <b>{t(`outage.cause.${o.draft.outage.cause}`)}</b> ·{' '}
            {[
              ...o.draft.outage.area.counties.map((c) => countyName(o.draft.region.city, c)),
              ...o.draft.outage.area.streets,
              ...(o.draft.outage.area.servicePoints.length <= 20 ? o.draft.outage.area.servicePoints : []),
            ].join('、')}{' '}
            · {t('phone.pop.restoreBy', { time: formatTime(o.draft.outage.expectedRestoreAt) })}
            {o.draft.outage.area.servicePoints.length > 20 && (
              // Hundreds of drawn service points: their count, the list one click away.
              <details className="service-points" data-testid="order-outage-service-points">
                <summary>{t('order.servicePoints', { count: o.draft.outage.area.servicePoints.length })}</summary>
                <span className="mono">{o.draft.outage.area.servicePoints.join('、')}</span>
              </details>
            )}
          </p>
        )}
        {o.draft.outage && isActiveOutage({ type: o.draft.type, state: o.state }) && ownsOutage && (
          <UpdateRestore order={o} />
        )}
        {o.pauses.length > 0 && (
          <ul className="pauses muted" data-testid="order-pauses">
            {o.pauses.map((p) => (
              <li key={p.at}>
                {t('order.pause', {
                  from: formatTime(p.at),
                  until: p.until ? formatTime(p.until) : t('order.pauseOpen'),
                  reason: p.reason,
                  who: p.by.userId,
                })}
              </li>
            ))}
          </ul>
        )}
        <ActionBar order={o} />
        <DraftFields orderId={o.id} draft={o.draft} editable={editable} viewers={viewers} />
        <section className="panel-section">
          <h3>{t('order.timeline')}</h3>
          <Timeline history={o.history} superseded={entry.superseded} crews={entry.crews ?? {}} />
        </section>
        <Comments orderId={o.id} comments={entry.comments} />
      </div>
    </aside>
  );
}

/** Calls the order's caller back on the softphone (when the phone is registered and not already on a call). */
function CallBack({ number }: { number: string }) {
  const { t } = useTranslation();
  const dispatch = useAppDispatch();
  const registered = useAppSelector((s) => s.phone.phone?.registration === 'registered');
  const busy = useAppSelector((s) => s.phone.phone?.calls.some((c) => c.status !== 'ended') ?? false);
  if (!registered) return null;
  return (
    <button
      type="button"
      data-testid="order-call-back"
      disabled={busy}
      title={t('order.callBackTitle', { number })}
      onClick={() => void dispatch(dial(number))}
    >
      {t('order.callBack')}
    </button>
  );
}

/**
 * The crew's single-use link for this assignment (the station's dispatcher, or a team lead): the centre makes it,
 * the console shows it to copy into a message to the crew's phone.
 */
function CrewLink({ order, doc }: { order: WorkOrder; doc: string | null }) {
  const { t } = useTranslation();
  const rt = useRuntime();
  const account = useAppSelector((s) => s.session.account);
  const settings = useAppSelector((s) => s.session.settings);
  const centre = useAppSelector((s) => s.connection.centre);
  const [link, setLink] = useState<
    { orderId: string; url: string; expiresAt: string } | { orderId: string; error: string } | null
  >(null);
  const station =
    account?.role === 'dispatcher'
      ? account.stationId === order.stationId
      : account?.role === 'team_lead' || account?.role === 'admin';
  if (!station || !order.crewId || !['assigned', 'on_site', 'handled'].includes(order.state) || !doc) return null;
  const ask = async () => {
    const token = rt.session?.stored.token;
    if (!settings || !token) return;
    try {
      const { value } = await centreJson(
        settings.centres,
        centre ?? rt.session!.stored.home,
        token,
        '/api/crew/links',
        z.object({ url: z.string().url(), expiresAt: z.string() }),
        { body: { doc, orderId: order.id } },
      );
      setLink({ orderId: order.id, ...value });
    } catch (error) {
      setLink({ orderId: order.id, error: error instanceof Error ? error.message : String(error) });
    }
  };
  const shown = link?.orderId === order.id ? link : null;
  return (
    <span className="crew-link">
      <button type="button" data-testid="order-crew-link" title={t('order.crewLinkTitle')} onClick={() => void ask()}>
        {t('order.crewLink')}
      </button>
      {shown && 'url' in shown && (
        <input
          readOnly
          className="mono"
          data-testid="order-crew-link-url"
          value={shown.url}
          title={t('order.crewLinkExpires', { time: formatTime(shown.expiresAt) })}
          onFocus={(e) => e.target.select()}
        />
      )}
      {shown && 'error' in shown && (
        <span className="inline-error" role="alert" data-testid="order-crew-link-error">
          {shown.error}
        </span>
      )}
    </span>
  );
}
