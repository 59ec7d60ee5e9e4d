// The two-way evaluation results for team leads (工单双向评价): how the stations rated each agent's orders and how
// the agents rated each station, with the latest comments. Counted from the orders on the board (archived orders
// leave the live board a week after archiving; older ones are in the centre's archive).
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Rating } from '@twinline/board';
import { useRuntime } from '../../app/hooks';
import { stationName } from '../../i18n';
import { useBoardVersion } from './useBoardVersion';

type Rows = [string, Rating][];

export function RatingsPanel({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const rt = useRuntime();
  const version = useBoardVersion();
  const [view, setView] = useState<{ agents: Rows; stations: Rows } | null>(null);
  useEffect(() => {
    let live = true;
    void rt.session?.board.call('ratings', undefined).then((r) => live && setView(r));
    return () => {
      live = false;
    };
  }, [rt, version]);
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
        <span className="spacer" />
        <button type="button" className="ghost" data-testid="ratings-close" onClick={onClose}>
          {t('form.close')}
        </button>
      </header>
      <h3>{t('ratings.agents')}</h3>
      {view && table(view.agents, (id) => id, 'ratings-agents')}
      <h3>{t('ratings.stations')}</h3>
      {view && table(view.stations, (id) => stationName(id), 'ratings-stations')}
    </div>
  );
}
