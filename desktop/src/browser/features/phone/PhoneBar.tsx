// The phone strip under the status bar (agents and team leads): where the phone is registered, the agent's state at
// the centre (and the after-call timer), an outbound number, audio devices. Everything is what the phone or the
// centre says, never a guess.
import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppDispatch, useAppSelector } from '../../app/hooks';
import { useNow } from '../../app/clock';
import { centreName } from '../../i18n';
import { formatRemaining } from '../board/sla';
import { PICKABLE_REASONS } from './agentState';
import type { PickableReason } from './agentState';
import { devicesToggled } from './phoneSlice';
import { chooseDevice, dial, setAgentState } from './thunks';

export function PhoneBar() {
  const { t } = useTranslation();
  const dispatch = useAppDispatch();
  const { enabled, phone, agent, agentLink, agentError, startError, devicesOpen, handedOver } = useAppSelector(
    (s) => s.phone,
  );
  const [number, setNumber] = useState('');
  if (!enabled) return null;

  const registration = phone?.registration ?? 'unregistered';
  const server = phone?.server ?? null;
  const busy = phone?.calls.some((c) => c.status !== 'ended') ?? false;
  const submitDial = (e: FormEvent) => {
    e.preventDefault();
    if (number.trim()) void dispatch(dial(number.trim())).then((id) => id && setNumber(''));
  };

  return (
    <div className="phonebar" role="toolbar" aria-label={t('phone.title')}>
      <span
        className={`status-item reg reg-${registration}`}
        data-testid="phone-registration"
        data-state={registration}
        data-centre={server?.centre ?? ''}
        title={phone?.lastError ?? startError ?? ''}
      >
        {t(`phone.registration.${registration}`, { centre: centreName(server?.centre ?? null) })}
        {server && !server.home ? ` · ${t('phone.onTwin')}` : ''}
      </span>
      <AgentStateControl />
      {handedOver && agent?.centre === handedOver.to && (
        <span className="status-item" data-testid="agent-handed-over" data-centre={handedOver.to}>
          {t('phone.handedOver', { from: centreName(handedOver.from), to: centreName(handedOver.to) })}
        </span>
      )}
      {agentLink !== 'connected' && agent && (
        <span className="status-item warn" data-testid="agent-link" title={t('phone.agentLinkDown')}>
          {t('phone.agentLinkDown')}
        </span>
      )}
      <form className="dial" onSubmit={submitDial}>
        <input
          data-testid="phone-dial-number"
          inputMode="tel"
          placeholder={t('phone.dialPlaceholder')}
          value={number}
          onChange={(e) => setNumber(e.target.value.replace(/[^\d*#+]/g, ''))}
          disabled={registration !== 'registered' || busy}
        />
        <button type="submit" data-testid="phone-dial" disabled={registration !== 'registered' || busy || !number}>
          {t('phone.dial')}
        </button>
      </form>
      <button type="button" className="ghost" data-testid="phone-devices" onClick={() => dispatch(devicesToggled())}>
        {t('phone.devices')}
      </button>
      {(agentError ?? startError) && (
        <span className="status-item error" data-testid="phone-error" role="alert">
          {agentError ?? t(`phone.errors.${startError}`, { defaultValue: startError })}
        </span>
      )}
      {devicesOpen && phone && (
        <div className="devices" data-testid="phone-devices-panel">
          {(['microphone', 'speaker', 'ringer'] as const).map((kind) => {
            const list = kind === 'microphone' ? phone.devices.microphones : phone.devices.speakers;
            const chosen =
              kind === 'microphone'
                ? phone.devices.microphoneId
                : kind === 'speaker'
                  ? phone.devices.speakerId
                  : phone.devices.ringerId;
            return (
              <label key={kind}>
                <span>{t(`phone.device.${kind}`)}</span>
                <select
                  data-testid={`phone-device-${kind}`}
                  value={chosen}
                  disabled={kind !== 'microphone' && !phone.devices.canChooseOutput}
                  onChange={(e) => void dispatch(chooseDevice(kind, e.target.value))}
                >
                  <option value="">{t('phone.device.default')}</option>
                  {list.map((d) => (
                    <option key={d.deviceId} value={d.deviceId}>
                      {d.label || d.deviceId}
                    </option>
                  ))}
                </select>
              </label>
            );
          })}
          {phone.devices.notice && <p className="muted">{phone.devices.notice}</p>}
        </div>
      )}
    </div>
  );
}

/** The agent's state at the centre, and the choices the agent has from it. */
function AgentStateControl() {
  const { t } = useTranslation();
  const dispatch = useAppDispatch();
  const agent = useAppSelector((s) => s.phone.agent);
  const now = useNow();
  const [value, setValue] = useState('');
  useEffect(() => setValue(''), [agent?.state, agent?.reason]);
  if (!agent) {
    return (
      <span className="status-item" data-testid="agent-state" data-state="unknown">
        {t('phone.agent.unknown')}
      </span>
    );
  }
  const label =
    agent.state === 'not_ready' && agent.reason
      ? `${t('phone.agent.not_ready')}（${t(`phone.reason.${agent.reason}`)}）`
      : t(`phone.agent.${agent.state}`);
  const timer =
    agent.state === 'after_call_work' && agent.until !== undefined
      ? ` ${formatRemaining(Math.max(0, agent.until - now), { d: t('sla.day'), h: t('sla.hour') })}`
      : '';
  const choose = (v: string) => {
    setValue(v);
    if (v === 'ready' || v === 'signed_out') void dispatch(setAgentState(v));
    else if (v.startsWith('not_ready:')) void dispatch(setAgentState('not_ready', v.slice(10) as PickableReason));
  };
  return (
    <label className={`status-item agent agent-${agent.state}`} data-testid="agent-state" data-state={agent.state}>
      <span className="agent-now">
        {label}
        {timer}
      </span>
      <select
        data-testid="agent-state-select"
        aria-label={t('phone.agent.change')}
        value={value}
        onChange={(e) => choose(e.target.value)}
      >
        <option value="">{t('phone.agent.change')}</option>
        <option value="ready">{t('phone.agent.ready')}</option>
        {PICKABLE_REASONS.map((r) => (
          <option key={r} value={`not_ready:${r}`}>
            {t('phone.agent.not_ready')}（{t(`phone.reason.${r}`)}）
          </option>
        ))}
        <option value="signed_out">{t('phone.agent.signed_out')}</option>
      </select>
    </label>
  );
}
