// The period choice of the crews and ratings panels, and what the centre said for it: how many orders it counted
// and from where, a refresh, or why there is nothing to show.
import { useTranslation } from 'react-i18next';
import { centreName, formatTime } from '../../i18n';
import { PERIODS } from './period';
import type { CentreFigures, Period } from './period';

export function PeriodSelect({
  value,
  onChange,
  testId,
}: {
  value: Period;
  onChange: (p: Period) => void;
  testId: string;
}) {
  const { t } = useTranslation();
  return (
    <select
      data-testid={testId}
      aria-label={t('figures.period.label')}
      title={t('figures.periodTitle')}
      value={value}
      onChange={(e) => onChange(e.target.value as Period)}
    >
      {PERIODS.map((p) => (
        <option key={p} value={p}>
          {t(`figures.period.${p}`)}
        </option>
      ))}
    </select>
  );
}

export function PeriodStatus({
  figures,
  onRefresh,
  testId,
}: {
  figures: CentreFigures;
  onRefresh: () => void;
  testId: string;
}) {
  const { t } = useTranslation();
  if (figures.status === 'live') return null;
  if (figures.status === 'loading')
    return (
      <p className="muted" data-testid={`${testId}-loading`}>
        {t('figures.loading')}
      </p>
    );
  if (figures.status === 'failed')
    return (
      <p className="notice notice-error" role="alert" data-testid={`${testId}-error`}>
        {figures.error}{' '}
        <button type="button" className="ghost" onClick={onRefresh}>
          {t('figures.refresh')}
        </button>
      </p>
    );
  const { report, via } = figures;
  return (
    <p className="muted" data-testid={`${testId}-counted`} data-archived={report.orders.archived}>
      {t('figures.counted', {
        from: formatTime(report.from),
        to: formatTime(report.to),
        count: report.orders.live + report.orders.archived,
        archived: report.orders.archived,
        centre: centreName(via),
      })}{' '}
      <button type="button" className="ghost" data-testid={`${testId}-refresh`} onClick={onRefresh}>
        {t('figures.refresh')}
      </button>
    </p>
  );
}
