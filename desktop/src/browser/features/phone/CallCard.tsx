// The call card: who is calling (before the agent answers), their open and recent orders, and the call's controls
// (answer, reject, hang up, hold, mute, keypad, transfer), then the wrap-up the centre keeps with the call.
import { useMemo, useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { CallSnapshot } from '@twinline/softphone';
import { useAppDispatch, useAppSelector, useRuntime } from '../../app/hooks';
import { useNow } from '../../app/clock';
import { cityName, countyName, formatTime } from '../../i18n';
import { orderOpened } from '../board/boardSlice';
import { formatRemaining } from '../board/sla';
import { openNewOrderFor } from '../drafts/thunks';
import { WRAP_UP_CODES } from './agentState';
import type { WrapUpCode } from './agentState';
import { cardShown, dialpadToggled } from './phoneSlice';
import { callStep, sendDigits, submitWrapUp, toggleMute, transferCall } from './thunks';
import { prefillOrder } from '../../customers/screenPop';
import { useCallerInfo, useEarlyCallerLookup } from './useCallerInfo';

export function CallCard() {
  const { t } = useTranslation();
  const dispatch = useAppDispatch();
  useEarlyCallerLookup(); // the caller's lookup starts as the call rings, before this card renders
  const cardCallId = useAppSelector((s) => s.phone.cardCallId);
  const calls = useAppSelector((s) => s.phone.phone?.calls);
  const wrapUp = useAppSelector((s) => s.phone.wrapUp);
  const call = calls?.find((c) => c.id === cardCallId) ?? null;
  if (!call && !wrapUp) return null;
  return (
    <aside className="callcard" data-testid="call-card" data-call-status={call?.status ?? 'ended'} aria-live="polite">
      {call && <CallView call={call} />}
      {wrapUp && (!call || call.status === 'ended') && <WrapUpForm remote={wrapUp.remote} />}
      {call?.status === 'ended' && !wrapUp && (
        <button type="button" className="ghost" data-testid="call-card-close" onClick={() => dispatch(cardShown(null))}>
          {t('order.close')}
        </button>
      )}
    </aside>
  );
}

function CallView({ call }: { call: CallSnapshot }) {
  const { t } = useTranslation();
  const dispatch = useAppDispatch();
  const now = useNow();
  const dialpadOpen = useAppSelector((s) => s.phone.dialpadOpen);
  const caller = useCallerInfo(call.direction === 'inbound' ? call.remote : null);
  const live = call.status !== 'ended';
  const since = call.answeredAt ?? call.startedAt;
  const elapsed = formatRemaining(Math.max(0, (call.endedAt ?? now) - since), { d: t('sla.day'), h: t('sla.hour') });
  const step = (op: Parameters<typeof callStep>[0]) => void dispatch(callStep(op, call.id));
  const first = caller.customers[0];

  return (
    <>
      <header className="callcard-head">
        <span className={`badge call-${call.status}`} data-testid="call-status">
          {t(`phone.call.${call.status}`)}
          {call.held ? ` · ${t('phone.call.held')}` : ''}
        </span>
        <b className="mono" data-testid="call-remote">
          {call.remote}
        </b>
        <span className="mono" data-testid="call-timer">
          {elapsed}
        </span>
      </header>
      {(call.info.queue || call.info.group || call.info.region) && (
        <p
          className="muted"
          data-testid="call-queue"
          data-group={call.info.group ?? ''}
          data-region={call.info.region ?? ''}
        >
          {[
            call.info.group &&
              t('phone.call.group', { group: t(`phone.group.${call.info.group}`, { defaultValue: call.info.group }) }),
            call.info.queue,
            call.info.region && cityName(call.info.region),
            Number(call.info.waited) >= 1000 &&
              t('phone.call.waited', { s: Math.round(Number(call.info.waited) / 1000) }),
          ]
            .filter(Boolean)
            .join(' · ')}
        </p>
      )}
      {call.direction === 'inbound' && (
        <section className="screenpop" data-testid="screen-pop" data-customers={caller.customers.length}>
          {/* An outage on at the caller's place comes first: most calls from there are about it. */}
          {caller.notices.map((n) => (
            <p
              key={n.id}
              className="notice notice-warn pop-notice"
              data-testid="pop-notice"
              data-order-id={n.id}
              data-restore-at={new Date(n.endsAt).toISOString()}
            >
              <b>{t('phone.pop.outage', { cause: t(`outage.cause.${n.cause}`, { defaultValue: n.cause }) })}</b>{' '}
              {[...n.counties.map((c) => countyName(n.city, c)), ...n.streets].join('、')}
              {' · '}
              {t('phone.pop.restoreBy', { time: formatTime(n.endsAt) })}
              {' · '}
              {n.title}{' '}
              <button type="button" className="link mono" onClick={() => dispatch(orderOpened(n.id))}>
                {n.id}
              </button>
            </p>
          ))}
          {caller.loading && <p className="muted">{t('phone.pop.looking')}</p>}
          {!caller.loading && caller.customers.length === 0 && (
            <p data-testid="pop-unknown">{t('phone.pop.unknown')}</p>
          )}
          {caller.customers.length > 1 && (
            <p className="muted">{t('phone.pop.several', { count: caller.customers.length })}</p>
          )}
          <ul className="pop-customers">
            {caller.customers.map((c) => (
              <li key={c.account} data-testid="pop-customer" data-account={c.account}>
                <b>{c.name}</b> <span className="mono">{c.account}</span>
                {c.vip && <span className="tag warn">VIP</span>}
                {c.sensitive && <span className="tag warn">{t('phone.pop.sensitive')}</span>}
                <div className="muted">
                  {cityName(c.region.city)}·{countyName(c.region.city, c.region.county)} {c.address}
                </div>
              </li>
            ))}
          </ul>
          {caller.orders.open.length + caller.orders.recent.length > 0 && (
            <ul className="pop-orders" data-testid="pop-orders">
              {[...caller.orders.open, ...caller.orders.recent].slice(0, 6).map((r) => (
                <li key={r.id}>
                  <button type="button" className="link mono" onClick={() => dispatch(orderOpened(r.id))}>
                    {r.id}
                  </button>{' '}
                  <span className="muted">
                    {t(`states.${r.state}`)} · {formatTime(r.createdAt)} · {r.address}
                  </span>
                </li>
              ))}
            </ul>
          )}
          <button
            type="button"
            data-testid="pop-new-order"
            onClick={() => dispatch(openNewOrderFor(prefillOrder(caller, first ?? null)))}
          >
            {t('phone.pop.newOrder')} (N)
          </button>
        </section>
      )}
      {live && (
        <div className="call-controls">
          {call.status === 'ringing' && (
            <>
              <button type="button" className="primary" data-testid="call-answer" onClick={() => step('answer')}>
                {t('phone.answer')} (F2)
              </button>
              <button type="button" data-testid="call-reject" onClick={() => step('reject')}>
                {t('phone.reject')}
              </button>
            </>
          )}
          {call.status !== 'ringing' && (
            <button type="button" className="danger" data-testid="call-hangup" onClick={() => step('hangup')}>
              {t('phone.hangup')} (F3)
            </button>
          )}
          {call.status === 'active' && (
            <>
              <button
                type="button"
                data-testid="call-hold"
                aria-pressed={call.held}
                onClick={() => step(call.held ? 'resume' : 'hold')}
              >
                {call.held ? t('phone.resume') : t('phone.hold')} (F4)
              </button>
              <button
                type="button"
                data-testid="call-mute"
                aria-pressed={call.muted}
                onClick={() => dispatch(toggleMute(call.id))}
              >
                {call.muted ? t('phone.unmute') : t('phone.mute')} (F5)
              </button>
              <button type="button" data-testid="call-dialpad" onClick={() => dispatch(dialpadToggled())}>
                {t('phone.keypad')}
              </button>
              <TransferControl callId={call.id} />
            </>
          )}
        </div>
      )}
      {live && call.status === 'active' && dialpadOpen && <Keypad callId={call.id} />}
      {call.quality && live && (
        <p className="muted" data-testid="call-quality" data-quality={call.quality}>
          {t('phone.quality', { quality: t(`phone.qualityLevel.${call.quality}`) })}
        </p>
      )}
      {call.status === 'ended' && (
        <p className="muted" data-testid="call-ended" data-cause={call.endCause ?? ''} title={call.endReason ?? ''}>
          {t('phone.call.endedBecause', {
            reason: call.endCause
              ? t(`phone.call.ends.${call.endCause}`, { code: call.endCode ?? '', target: call.transfer?.target ?? '' })
              : (call.endReason ?? ''),
          })}
        </p>
      )}
    </>
  );
}

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'];

function Keypad({ callId }: { callId: string }) {
  const dispatch = useAppDispatch();
  return (
    <div className="keypad" data-testid="call-keypad">
      {KEYS.map((k) => (
        <button key={k} type="button" data-testid={`dtmf-${k}`} onClick={() => void dispatch(sendDigits(callId, k))}>
          {k}
        </button>
      ))}
    </div>
  );
}

function TransferControl({ callId }: { callId: string }) {
  const { t } = useTranslation();
  const dispatch = useAppDispatch();
  const [target, setTarget] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const v = target.trim();
    if (!v) return;
    if (v === 'twin') void dispatch(transferCall(callId, { kind: 'twin' }));
    else void dispatch(transferCall(callId, { kind: /^[\d*#]+$/.test(v) ? 'number' : 'agent', value: v }));
    setTarget('');
  };
  return (
    <form className="transfer" onSubmit={submit}>
      <input
        data-testid="call-transfer-target"
        list="transfer-targets"
        placeholder={t('phone.transferTo')}
        value={target}
        onChange={(e) => setTarget(e.target.value)}
      />
      <datalist id="transfer-targets">
        <option value="twin">{t('phone.transferTwin')}</option>
      </datalist>
      <button type="submit" data-testid="call-transfer" disabled={!target.trim()}>
        {t('phone.transfer')}
      </button>
    </form>
  );
}

function WrapUpForm({ remote }: { remote: string }) {
  const { t } = useTranslation();
  const dispatch = useAppDispatch();
  const rt = useRuntime();
  const [code, setCode] = useState<WrapUpCode | ''>('');
  const [note, setNote] = useState('');
  const orderForCaller = useMemo(() => [...rt.orders.values()].some((r) => r.callerNumber === remote), [rt, remote]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (code) void dispatch(submitWrapUp(code, note.trim()));
  };
  return (
    <form className="wrapup" data-testid="wrap-up" onSubmit={submit}>
      <h3>{t('phone.wrapUp.title', { remote })}</h3>
      <select
        data-testid="wrap-up-code"
        value={code}
        onChange={(e) => setCode(e.target.value as WrapUpCode)}
        autoFocus
        required
      >
        <option value="">{t('order.choose')}</option>
        {WRAP_UP_CODES.map((c) => (
          <option key={c} value={c}>
            {t(`phone.wrapUp.codes.${c}`)}
            {c === 'order_opened' && orderForCaller ? ' ✓' : ''}
          </option>
        ))}
      </select>
      <textarea
        data-testid="wrap-up-note"
        placeholder={t('phone.wrapUp.note')}
        value={note}
        onChange={(e) => setNote(e.target.value)}
        maxLength={2000}
      />
      <button type="submit" className="primary" data-testid="wrap-up-submit" disabled={!code}>
        {t('phone.wrapUp.submit')}
      </button>
    </form>
  );
}
