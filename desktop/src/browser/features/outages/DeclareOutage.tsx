// The outage declaration drawer (dispatchers for their city, team leads for any): cause, the area (whole districts,
// streets, service points), the expected restoration and what happened. Submitting creates the outage's master
// order; calls from inside the area then show the notice first on the screen-pop, at both centres.
import { useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { FUJIAN_CITIES, STATIONS } from '@twinline/demo-data';
import { OUTAGE_CAUSES, PRIORITIES } from '@twinline/workorder';
import { useAppDispatch, useAppSelector } from '../../app/hooks';
import { cityName, countyName } from '../../i18n';
import { AreaDraw } from './AreaDraw';
import { emptyOutageForm, mergeServicePoints, parseServicePoints } from './declare';
import type { OutageFormValues } from './declare';
import { declareOutage } from './thunks';
import type { DeclareResult } from './thunks';

export function DeclareOutage({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const dispatch = useAppDispatch();
  const account = useAppSelector((s) => s.session.account);
  const ownCity = account?.role === 'dispatcher' ? account.city : undefined;
  const [v, setV] = useState<OutageFormValues>(() => emptyOutageForm(ownCity ?? FUJIAN_CITIES[0]!.id));
  const [errors, setErrors] = useState<Extract<DeclareResult, { errors: unknown }>['errors']>({});
  const [busy, setBusy] = useState(false);
  const [drawOpen, setDrawOpen] = useState(false);
  const set = (patch: Partial<OutageFormValues>) => setV((old) => ({ ...old, ...patch }));
  const city = FUJIAN_CITIES.find((c) => c.id === v.city);
  // The drawing starts on the ticked districts, else the station's own, else the city's first.
  const homeCounty = STATIONS.find((st) => st.id === account?.stationId && st.city === v.city)?.county;
  const drawCounties = v.counties.length ? v.counties : [homeCounty ?? city?.counties[0]?.id ?? ''].filter(Boolean);

  const submit = async (e?: FormEvent) => {
    e?.preventDefault();
    setBusy(true);
    const r = await dispatch(declareOutage(v));
    setBusy(false);
    if ('errors' in r) setErrors(r.errors);
    else onClose();
  };
  const err = (field: keyof typeof errors) =>
    errors[field] ? (
      <span className="field-error" data-testid={`outage-error-${field}`}>
        {errors[field]}
      </span>
    ) : null;

  return (
    <div className="drawer" role="dialog" aria-label={t('outage.declare')}>
      <form
        className="new-order"
        data-testid="outage-form"
        onSubmit={(e) => void submit(e)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            onClose();
          }
        }}
      >
        <header className="drawer-head">
          <h2>{t('outage.declare')}</h2>
          <span className="spacer" />
          <button type="button" className="ghost" data-testid="outage-close" onClick={onClose}>
            {t('form.close')} <kbd>Esc</kbd>
          </button>
        </header>
        <div className="form-grid">
          <label className="field">
            <span className="label">{t('form.fields.city')}</span>
            <select
              data-testid="outage-city"
              value={v.city}
              disabled={!!ownCity}
              onChange={(e) => set({ city: e.target.value, counties: [] })}
            >
              {FUJIAN_CITIES.map((c) => (
                <option key={c.id} value={c.id}>
                  {cityName(c.id)}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span className="label">{t('outage.cause.label')}</span>
            <select
              data-testid="outage-cause"
              value={v.cause}
              onChange={(e) => set({ cause: e.target.value as OutageFormValues['cause'] })}
            >
              {OUTAGE_CAUSES.map((c) => (
                <option key={c} value={c}>
                  {t(`outage.cause.${c}`)}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span className="label">{t('form.fields.priority')}</span>
            <select
              data-testid="outage-priority"
              value={v.priority}
              onChange={(e) => set({ priority: e.target.value as OutageFormValues['priority'] })}
            >
              {PRIORITIES.map((p) => (
                <option key={p} value={p}>
                  {t(`priorities.${p}`)}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span className="label">{t('outage.restoreAt')}</span>
            <input
              type="datetime-local"
              data-testid="outage-restore"
              value={v.expectedRestoreAt}
              onChange={(e) => set({ expectedRestoreAt: e.target.value })}
            />
            {err('expectedRestoreAt')}
          </label>
          <fieldset className="field wide outage-counties" data-testid="outage-counties">
            <legend>{t('outage.counties')}</legend>
            {city?.counties.map((k) => (
              <label key={k.id} className="check">
                <input
                  type="checkbox"
                  data-testid={`outage-county-${k.id}`}
                  checked={v.counties.includes(k.id)}
                  onChange={(e) =>
                    set({
                      counties: e.target.checked ? [...v.counties, k.id] : v.counties.filter((c) => c !== k.id),
                    })
                  }
                />
                {countyName(v.city, k.id)}
              </label>
            ))}
            {err('area')}
          </fieldset>
          <label className="field wide">
            <span className="label">{t('outage.streets')}</span>
            <input
              data-testid="outage-streets"
              placeholder={t('outage.streetsHint')}
              value={v.streets}
              onChange={(e) => set({ streets: e.target.value })}
            />
            {err('streets')}
          </label>
          <label className="field wide">
            <span className="label">{t('outage.servicePoints')}</span>
            <input
              data-testid="outage-points"
              placeholder={t('outage.servicePointsHint')}
              value={v.servicePoints}
              onChange={(e) => set({ servicePoints: e.target.value })}
            />
            {err('servicePoints')}
          </label>
          <div className="field wide">
            <button
              type="button"
              className="ghost outage-draw-toggle"
              aria-expanded={drawOpen}
              data-testid="outage-draw-toggle"
              onClick={() => setDrawOpen((o) => !o)}
            >
              {drawOpen ? t('outage.draw.hide') : t('outage.draw.open')}
            </button>
            {drawOpen && (
              <AreaDraw
                key={v.city}
                city={v.city}
                initialCounties={drawCounties}
                existing={parseServicePoints(v.servicePoints)}
                onAdd={(ids, county) =>
                  setV((old) => {
                    const merged = mergeServicePoints(old.servicePoints, ids);
                    return 'over' in merged ? old : { ...old, servicePoints: merged.text, pointCounty: county };
                  })
                }
              />
            )}
          </div>
          <label className="field wide">
            <span className="label">{t('outage.description')}</span>
            <textarea
              data-testid="outage-description"
              rows={3}
              maxLength={2000}
              value={v.description}
              onChange={(e) => set({ description: e.target.value })}
            />
            {err('description')}
          </label>
        </div>
        {errors.submit && (
          <p className="notice notice-error" role="alert" data-testid="outage-error">
            {errors.submit}
          </p>
        )}
        <footer className="form-buttons">
          <button type="submit" className="primary" data-testid="outage-submit" disabled={busy}>
            {t('outage.submit')}
          </button>
        </footer>
      </form>
    </div>
  );
}
