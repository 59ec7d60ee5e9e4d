import { useEffect, useMemo, useRef } from 'react';
import type { FormEvent, ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { CHANNELS, ORDER_TYPES, PRIORITIES } from '@twinline/workorder';
import { FUJIAN_CITIES } from '@twinline/demo-data';
import { useAppDispatch, useAppSelector, useRuntime } from '../../app/hooks';
import { cityName, countyName, formatTime } from '../../i18n';
import { orderOpened } from '../board/boardSlice';
import { buildDuplicateIndex, findDuplicates } from './duplicates';
import type { FormField, OrderFormValues } from './form';
import { formClosed } from './newOrderSlice';
import { changeForm, discardNewOrder, submitNewOrder } from './thunks';

export function NewOrderForm() {
  const { t } = useTranslation();
  const dispatch = useAppDispatch();
  const { values, errors, submitError, restoredAt } = useAppSelector((s) => s.newOrder);
  const rt = useRuntime();
  // The open orders to warn about, rebuilt when the board changes (only while this form is open).
  const ordersVersion = useAppSelector((s) => s.board.ordersVersion);
  const index = useMemo(() => buildDuplicateIndex(rt.orders.values()), [rt, ordersVersion]);
  const firstRef = useRef<HTMLInputElement>(null);
  useEffect(() => firstRef.current?.focus(), []);

  const dup = useMemo(
    () => findDuplicates(index, { address: values.address, callerNumber: values.callerNumber }),
    [index, values.address, values.callerNumber],
  );
  const counties = FUJIAN_CITIES.find((c) => c.id === values.city)?.counties ?? [];
  const set = (patch: Partial<OrderFormValues>) => dispatch(changeForm(patch));
  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    dispatch(submitNewOrder());
  };

  const field = (name: FormField, control: ReactNode, wide = false) => (
    <label className={`field${wide ? ' wide' : ''}${errors[name] ? ' invalid' : ''}`}>
      <span className="label">{t(`form.fields.${name}`)}</span>
      {control}
      {errors[name] && (
        <span className="field-error" data-testid={`no-${name}-error`}>
          {t(`form.errors.${errors[name]}`)}
        </span>
      )}
    </label>
  );
  const text = (
    name: 'callerNumber' | 'callerName' | 'customerAccount' | 'address',
    maxLength: number,
    ref?: typeof firstRef,
  ) => (
    <input
      ref={ref}
      data-testid={`no-${name}`}
      value={values[name]}
      maxLength={maxLength}
      placeholder={t(`form.placeholders.${name}`)}
      aria-invalid={!!errors[name]}
      onChange={(e) => set({ [name]: e.target.value })}
    />
  );
  const dupIds = [...new Set([...dup.sameAddress, ...dup.sameCaller])];

  return (
    <div className="drawer" role="dialog" aria-label={t('form.title')}>
      <form
        className="new-order"
        data-testid="new-order-form"
        onSubmit={submit}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            submit();
          }
          if (e.key === 'Escape') {
            e.stopPropagation();
            dispatch(formClosed());
          }
        }}
      >
        <header className="drawer-head">
          <h2>{t('form.title')}</h2>
          {restoredAt && (
            <span className="notice notice-info" data-testid="new-order-restored">
              {t('form.restored')} · {formatTime(restoredAt)}
            </span>
          )}
          <span className="spacer" />
          <button type="button" className="ghost" data-testid="new-order-close" onClick={() => dispatch(formClosed())}>
            {t('form.close')} <kbd>Esc</kbd>
          </button>
        </header>
        <div className="form-grid">
          {field(
            'type',
            <select
              data-testid="no-type"
              value={values.type}
              onChange={(e) => set({ type: e.target.value as OrderFormValues['type'] })}
            >
              {ORDER_TYPES.filter((v) => v !== 'outage').map((v) => (
                <option key={v} value={v}>
                  {t(`types.${v}`)}
                </option>
              ))}
            </select>,
          )}
          {field(
            'channel',
            <select
              data-testid="no-channel"
              value={values.channel}
              onChange={(e) => set({ channel: e.target.value as OrderFormValues['channel'] })}
            >
              {CHANNELS.map((v) => (
                <option key={v} value={v}>
                  {t(`channels.${v}`)}
                </option>
              ))}
            </select>,
          )}
          {field(
            'priority',
            <select
              data-testid="no-priority"
              value={values.priority}
              onChange={(e) => set({ priority: e.target.value as OrderFormValues['priority'] })}
            >
              {PRIORITIES.map((v) => (
                <option key={v} value={v}>
                  {t(`priorities.${v}`)}
                </option>
              ))}
            </select>,
          )}
          {field('callerNumber', text('callerNumber', 21, firstRef))}
          {field('callerName', text('callerName', 60))}
          {field('customerAccount', text('customerAccount', 32))}
          {field(
            'city',
            <select data-testid="no-city" value={values.city} onChange={(e) => set({ city: e.target.value })}>
              <option value="">{t('order.choose')}</option>
              {FUJIAN_CITIES.map((c) => (
                <option key={c.id} value={c.id}>
                  {cityName(c.id)}
                </option>
              ))}
            </select>,
          )}
          {field(
            'county',
            <select
              data-testid="no-county"
              value={values.county}
              disabled={!values.city}
              onChange={(e) => set({ county: e.target.value })}
            >
              <option value="">{t('order.choose')}</option>
              {counties.map((k) => (
                <option key={k.id} value={k.id}>
                  {countyName(values.city, k.id)} · {t(`areaClasses.${k.areaClass}`)}
                </option>
              ))}
            </select>,
          )}
          {field('address', text('address', 200), true)}
          {field(
            'description',
            <textarea
              data-testid="no-description"
              rows={4}
              maxLength={2000}
              value={values.description}
              placeholder={t('form.placeholders.description')}
              aria-invalid={!!errors.description}
              onChange={(e) => set({ description: e.target.value })}
            />,
            true,
          )}
        </div>
        {dupIds.length > 0 && (
          <div className="notice notice-warn duplicate" data-testid="duplicate-warning" role="note">
            <b>{t('form.duplicates.title')}</b>
            <ul>
              {dupIds.slice(0, 5).map((id) => {
                const e = rt.order(id);
                const why = [
                  dup.sameAddress.includes(id) ? t('form.duplicates.sameAddress') : null,
                  dup.sameCaller.includes(id) ? t('form.duplicates.sameCaller') : null,
                ]
                  .filter(Boolean)
                  .join(' · ');
                return (
                  <li key={id}>
                    <button
                      type="button"
                      className="link mono"
                      data-testid="duplicate-link"
                      data-order-id={id}
                      onClick={() => dispatch(orderOpened(id))}
                    >
                      {id}
                    </button>{' '}
                    <span className="muted">
                      {why}
                      {e && ` · ${t(`states.${e.state}`)} · ${e.address}`}
                    </span>
                  </li>
                );
              })}
              {dupIds.length > 5 && <li className="muted">+{dupIds.length - 5}</li>}
            </ul>
          </div>
        )}
        {submitError && (
          <p className="inline-error" role="alert" data-testid="new-order-error">
            {submitError}
          </p>
        )}
        <footer className="form-buttons">
          <button type="submit" className="primary" data-testid="new-order-submit">
            {t('form.submit')} <kbd>Ctrl+Enter</kbd>
          </button>
          <button type="button" data-testid="new-order-discard" onClick={() => dispatch(discardNewOrder())}>
            {t('form.discard')}
          </button>
          <span className="muted small">{t('form.saved')}</span>
        </footer>
      </form>
    </div>
  );
}
