import { useEffect, useMemo, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { SATISFACTION, allowedActions } from '@twinline/workorder';
import type { Action, Satisfaction, WorkOrder } from '@twinline/workorder';
import type { ActInput } from '@twinline/board';
import { stationsOfCity } from '@twinline/demo-data';
import type { CrewChoice } from '@twinline/board';
import { useAppDispatch, useAppSelector, useRuntime } from '../../app/hooks';
import { selectActor } from '../../app/selectors';
import { stationName } from '../../i18n';
import { performAction } from './thunks';
import { activeNotices } from '../../customers/screenPop';
import type { StepError } from './thunks';

type StepAction = Exclude<Action, 'create'>;

/** What each action asks for before it can be taken. */
export const ACTION_INPUTS: Record<
  StepAction,
  'station' | 'crew' | 'reason' | 'satisfaction' | 'master' | 'note' | 'score' | null
> = {
  dispatch: 'station',
  take: null,
  assign: 'crew',
  arrive: null,
  handle: 'note',
  reply: 'note',
  callback: 'satisfaction',
  archive: null,
  send_back: 'reason',
  urge: 'note',
  escalate: 'reason',
  reopen: 'reason',
  merge: 'master',
  restore: 'note',
  accept: null,
  pause: 'reason',
  resume: null,
  callback_attempt: 'note',
  evaluate: 'score',
};

export function ActionBar({ order }: { order: WorkOrder }) {
  const { t } = useTranslation();
  const dispatch = useAppDispatch();
  const actor = useAppSelector(selectActor);
  const [pending, setPending] = useState<StepAction | null>(null);
  const [error, setError] = useState<StepError | null>(null);
  // An order merged under an outage is restored with its outage (from the outage's panel), not on its own.
  const actions = actor
    ? (allowedActions(order, actor) as StepAction[]).filter((a) => a !== 'restore' || order.draft.type === 'outage')
    : [];

  useEffect(() => {
    setPending(null);
    setError(null);
  }, [order.id]);

  // Outages on at this order's place: the order can be merged under one with one click.
  const rt = useRuntime();
  const version = useAppSelector((s) => s.board.ordersVersion);
  const outages = useMemo(
    () =>
      actions.includes('merge') && order.draft.type !== 'outage'
        ? activeNotices(rt.orders.values(), {
            city: order.draft.region.city,
            county: order.draft.region.county,
            address: order.draft.address,
          })
        : [],
    [rt, version, order.id, order.state, actions.includes('merge')],
  );

  const run = async (action: StepAction, input: Omit<ActInput, 'action'> = {}) => {
    const err = await dispatch(performAction(order.id, { action, ...input }));
    setError(err);
    if (!err) setPending(null);
  };

  const start = (action: StepAction) => {
    setError(null);
    if (ACTION_INPUTS[action] === null) void run(action);
    else setPending(action);
  };

  return (
    <section className="panel-section actions" aria-label={t('order.actions')}>
      <div className="action-buttons">
        {actions.length === 0 && <span className="muted">{t('order.noActions')}</span>}
        {actions.map((a) => (
          <button
            key={a}
            type="button"
            className={pending === a ? 'primary' : ''}
            data-testid={`order-action-${a}`}
            onClick={() => start(a)}
          >
            {t(`actions.${a}`)}
          </button>
        ))}
      </div>
      {outages.map((o) => (
        <p key={o.id} className="notice notice-warn pop-notice" data-testid="order-outage" data-order-id={o.id}>
          {t('order.outageHere', { title: o.title })}{' '}
          <button type="button" data-testid="order-merge-outage" onClick={() => void run('merge', { masterId: o.id })}>
            {t('order.mergeUnder')}
          </button>
        </p>
      ))}
      {pending && ACTION_INPUTS[pending] && (
        <ActionForm
          key={`${order.id}-${pending}`}
          order={order}
          action={pending}
          onSubmit={(input) => void run(pending, input)}
          onCancel={() => {
            setPending(null);
            setError(null);
          }}
        />
      )}
      {error && (
        <p className="inline-error" role="alert" data-testid="order-action-error" data-code={error.code}>
          {t(`order.errors.${error.code}`, { defaultValue: error.code })}
          <span className="detail">{error.message}</span>
        </p>
      )}
    </section>
  );
}

function ActionForm({
  order,
  action,
  onSubmit,
  onCancel,
}: {
  order: WorkOrder;
  action: StepAction;
  onSubmit: (input: Omit<ActInput, 'action'>) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const kind = ACTION_INPUTS[action]!;
  const [value, setValue] = useState('');
  /** The note that goes with a satisfaction (the customer's words) or a score (the evaluation's comment). */
  const [note, setNote] = useState('');
  const [missing, setMissing] = useState(false);
  const first = useRef<HTMLInputElement & HTMLSelectElement & HTMLTextAreaElement>(null);
  useEffect(() => first.current?.focus(), []);
  const stations = kind === 'station' ? stationsOfCity(order.draft.region.city) : [];
  const crews = useCrewChoices(kind === 'crew' ? order : undefined);
  const optional = kind === 'note';

  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    const v = value.trim();
    if (!v && !optional) {
      setMissing(true);
      return;
    }
    const input: Omit<ActInput, 'action'> = {};
    if (kind === 'station') input.stationId = v;
    if (kind === 'crew') input.crewId = v;
    if (kind === 'reason') input.reason = v;
    if (kind === 'satisfaction') input.satisfaction = v as Satisfaction;
    if (kind === 'master') input.masterId = v;
    if (kind === 'note' && v) input.note = v;
    if (kind === 'score') input.score = Number(v);
    if ((kind === 'satisfaction' || kind === 'score') && note.trim()) input.note = note.trim();
    onSubmit(input);
  };

  const label = t(`order.inputs.${kind}`);
  return (
    <form
      className="action-form"
      data-testid="order-action-form"
      data-action={action}
      onSubmit={submit}
      onKeyDown={(e) => {
        if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) submit(e);
        if (e.key === 'Escape') {
          e.stopPropagation();
          onCancel();
        }
      }}
    >
      <label>
        <span>{label}</span>
        {kind === 'station' && (
          <select
            ref={first}
            data-testid="action-input-station"
            value={value}
            onChange={(e) => setValue(e.target.value)}
          >
            <option value="">{t('order.choose')}</option>
            {stations.map((s) => (
              <option key={s.id} value={s.id}>
                {stationName(s.id)}
              </option>
            ))}
          </select>
        )}
        {kind === 'crew' &&
          (crews.length > 0 ? (
            <select
              ref={first}
              data-testid="action-input-crew"
              value={value}
              onChange={(e) => setValue(e.target.value)}
            >
              <option value="">{t('order.choose')}</option>
              {crews.map((c) => (
                <option
                  key={c.crew.id}
                  value={c.crew.id}
                  data-suggested={c.suggested || undefined}
                  data-available={c.available}
                  data-covers={c.covers}
                >
                  {[
                    c.crew.name,
                    t('order.crewChoice.load', { count: c.load }),
                    ...(c.suggested ? [t('order.crewChoice.suggested')] : []),
                    ...(!c.available ? [t('order.crewChoice.offDuty')] : []),
                    ...(!c.takesType ? [t(`order.crewChoice.kind.${c.crew.kind}`)] : []),
                    ...(!c.covers ? [t('order.crewChoice.outsideArea')] : []),
                  ].join(' · ')}
                </option>
              ))}
            </select>
          ) : (
            <input
              ref={first}
              data-testid="action-input-crew"
              placeholder={t('order.crewChoice.none')}
              value={value}
              onChange={(e) => setValue(e.target.value)}
            />
          ))}
        {kind === 'satisfaction' && (
          <select
            ref={first}
            data-testid="action-input-satisfaction"
            value={value}
            onChange={(e) => setValue(e.target.value)}
          >
            <option value="">{t('order.choose')}</option>
            {SATISFACTION.map((s) => (
              <option key={s} value={s}>
                {t(`satisfaction.${s}`)}
              </option>
            ))}
          </select>
        )}
        {kind === 'score' && (
          <select ref={first} data-testid="action-input-score" value={value} onChange={(e) => setValue(e.target.value)}>
            <option value="">{t('order.choose')}</option>
            {[5, 4, 3, 2, 1].map((n) => (
              <option key={n} value={n}>
                {t('order.score', { n })}
              </option>
            ))}
          </select>
        )}
        {kind === 'master' && (
          <input
            ref={first}
            className="mono"
            data-testid="action-input-master"
            value={value}
            onChange={(e) => setValue(e.target.value)}
          />
        )}
        {(kind === 'reason' || kind === 'note') && (
          <textarea
            ref={first}
            rows={2}
            maxLength={kind === 'reason' ? 500 : 2000}
            data-testid={`action-input-${kind}`}
            value={value}
            onChange={(e) => setValue(e.target.value)}
          />
        )}
      </label>
      {(kind === 'satisfaction' || kind === 'score') && (
        <label>
          <span>{t(kind === 'satisfaction' ? 'order.inputs.customerWords' : 'order.inputs.comment')}</span>
          <textarea
            rows={2}
            maxLength={2000}
            data-testid="action-input-note"
            value={note}
            onChange={(e) => setNote(e.target.value)}
          />
        </label>
      )}
      {missing && <span className="field-error">{t('order.required', { field: label })}</span>}
      <div className="form-buttons">
        <button type="submit" className="primary" data-testid="action-confirm">
          {t('order.confirm', { action: t(`actions.${action}`) })} <kbd>Ctrl+Enter</kbd>
        </button>
        <button type="button" onClick={onCancel} data-testid="action-cancel">
          {t('order.cancel')}
        </button>
      </div>
    </form>
  );
}

/**
 * The crews of the order's station from the roster in the board document, best first: the one automatic assignment
 * would pick on top, then the others with what they miss (off duty, another kind, outside their area) and their load.
 */
function useCrewChoices(order: WorkOrder | undefined): CrewChoice[] {
  const rt = useRuntime();
  const [choices, setChoices] = useState<{ id: string; list: CrewChoice[] } | null>(null);
  const id = order?.id;
  // Read again when the roster changes (a crew comes on duty) while the form is open.
  const rosterVersion = useAppSelector((s) => s.board.rosterVersion);
  useEffect(() => {
    const entry = id ? rt.order(id) : undefined;
    const board = rt.session?.board;
    if (!id || !entry || !board) return;
    let live = true;
    void board.call('crewChoices', { doc: entry.doc, id }).then((list) => live && setChoices({ id, list }));
    return () => {
      live = false;
    };
  }, [rt, id, rosterVersion]);
  return choices && choices.id === id ? choices.list : [];
}
