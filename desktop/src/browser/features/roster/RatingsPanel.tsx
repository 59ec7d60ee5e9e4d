// The two-way evaluation results for team leads (工单双向评价): how the stations rated each agent's orders and how
// the agents rated each station, with the latest comments. Counted from the orders on the live board (archived orders
// leave it a week after archiving), or for a period by the centre, which counts its archive too.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Rating } from '@twinline/board';
import { useRuntime } from '../../app/hooks';
import { stationName } from '../../i18n';
import { useBoardVersion } from './useBoardVersion';
import { PeriodSelect, PeriodStatus } from './PeriodBar';
import { useCentreFigures } from './period';
import type { Period } from './period';

type Rows = [string, Rating][];

export function RatingsPanel({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const rt = useRuntime();
  const version = useBoardVersion();
  const [period, setPeriod] = useState<Period>('live');
  const [refresh, setRefresh] = useState(0);
  const [board, setBoard] = useState<{ agents: Rows; stations: Rows } | null>(null);
  useEffect(() => {
    if (period !== 'live') return;
    let live = true;
    void rt.session?.board.call('ratings', undefined).then((r) => live && setBoard(r));
    return () => {
      live = false;
    };
  }, [rt, version, period]);
  // Every city the lead may read, as on the live board.
  const centre = useCentreFigures(period, undefined, refresh);
  const view =
    period === 'live'
      ? board
      : centre.status === 'done'
        ? {
            agents: Object.entries(centre.report.ratings.agents),
            stations: Object.entries(centre.report.ratings.stations),
          }
        : null;
  const table = (rows: Rows, name: (id: string) => string, testId: string) =>
    rows.length === 0 ? (
      <p className="muted">{t('ratings.none')}</p>
    ) : (
      <table className="roster-table" data-testid={testId}>
        <thead>
          <tr>
            <th>{t('ratings.who')}</th>
            <th>{t('ratings.count')}</th>
            <th>{t('ratings.mean')}</th>
            <th>{t('ratings.comments')}</th>
          </tr>
        </thead>
        <tbody>
          {[...rows]
            .sort((a, b) => a[1].mean - b[1].mean)
            .map(([id, r]) => (
              <tr key={id} data-testid="ratings-row" data-id={id} data-mean={r.mean}>
                <td>{name(id)}</td>
                <td className="num">{r.count}</td>
                <td className="num">{r.mean}</td>
                <td>
                  {r.comments.map((c) => (
                    <div key={c.orderId} className="muted">
                      {c.score}/5 · {c.note} <span className="mono">{c.orderId}</span>
                    </div>
                  ))}
                </td>
              </tr>
            ))}
        </tbody>
      </table>
    );
  return (
    <div className="drawer roster" role="dialog" aria-label={t('ratings.title')} data-testid="ratings-panel">
      <header className="drawer-head">
        <h2>{t('ratings.title')}</h2>
        <PeriodSelect value={period} onChange={setPeriod} testId="ratings-period" />
        <span className="spacer" />
        <button type="button" className="ghost" data-testid="ratings-close" onClick={onClose}>
          {t('form.close')}
        </button>
      </header>
      <PeriodStatus figures={centre} onRefresh={() => setRefresh((n) => n + 1)} testId="ratings-period" />
      <h3>{t('ratings.agents')}</h3>
      {view && table(view.agents, (id) => id, 'ratings-agents')}
      <h3>{t('ratings.stations')}</h3>
      {view && table(view.stations, (id) => stationName(id), 'ratings-stations')}
    </div>
  );
}
