// A station's crews (班组) for its dispatcher, and any station's for a team lead: members, trades, areas, who is on
// duty, the load now and how each crew and each of its members works (from the orders' own events: a member counts
// on the reports that list them as on the job), and the station's automatic assignment. Changes go into the city's board document through the board worker, like order steps.
// The figures are the live board's, or a period's from the centre (which counts the orders archived off the board).
import { Fragment, useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { regionDoc } from '@twinline/board/access';
import type { Crew, CrewFigures, MemberFigures } from '@twinline/board';
import { FUJIAN_CITIES, STATIONS } from '@twinline/demo-data';
import { useAppSelector, useRuntime } from '../../app/hooks';
import { cityName, countyName, stationName } from '../../i18n';
import type { RosterView } from '../../board-worker/protocol';
import { useBoardVersion } from './useBoardVersion';
import { PeriodSelect, PeriodStatus } from './PeriodBar';
import { useCentreFigures } from './period';
import type { Period } from './period';

const pct = (n: number, of: number) => (of === 0 ? '—' : `${Math.round((n / of) * 100)}%`);
const minutes = (m: number | null) => (m === null ? '—' : `${m}`);

/**
 * The figure cells shared by a crew's row and its members' rows (load, arrivals, real on-site rate, …); all '—' while
 * a period's figures are not known (asked of the centre, or no centre answered).
 */
function FigureCells({ f, unknown }: { f: Omit<CrewFigures, 'crewId' | 'assigned'> | undefined; unknown: boolean }) {
  if (unknown)
    return (
      <>
        {Array.from({ length: 7 }, (_, i) => (
          <td key={i} className="num muted">
            —
          </td>
        ))}
      </>
    );
  return (
    <>
      <td className="num">{f?.load ?? 0}</td>
      <td className="num">{f?.arrivals ?? 0}</td>
      <td className="num">{f ? pct(f.verifiedArrivals, f.arrivals) : '—'}</td>
      <td className="num">{f?.flagged ?? 0}</td>
      <td className="num">{minutes(f?.minutesToAccept ?? null)}</td>
      <td className="num">{minutes(f?.minutesToArrive ?? null)}</td>
      <td className="num">{minutes(f?.minutesToHandle ?? null)}</td>
    </>
  );
}

export function RosterPanel({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const rt = useRuntime();
  const account = useAppSelector((s) => s.session.account);
  const version = useBoardVersion();
  const rosterVersion = useAppSelector((s) => s.board.rosterVersion);
  const own = account?.role === 'dispatcher' ? STATIONS.find((s) => s.id === account.stationId) : undefined;
  const [city, setCity] = useState<string>(own?.city ?? account?.city ?? FUJIAN_CITIES[0]!.id);
  const [stationId, setStationId] = useState<string>(own?.id ?? '');
  const [view, setView] = useState<RosterView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [period, setPeriod] = useState<Period>('live');
  const [refresh, setRefresh] = useState(0);
  const centre = useCentreFigures(period, city, refresh);
  /** The figures shown: the live board's (from the worker with the roster), or the period's from the centre. */
  const shown =
    period === 'live'
      ? view && { figures: view.figures, members: view.members }
      : centre.status === 'done'
        ? { figures: centre.report.crews, members: centre.report.members }
        : null;

  /** The latest request: an older answer arriving after it (another city chosen meanwhile) is not shown. */
  const latest = useRef(0);
  const load = useCallback(async () => {
    const board = rt.session?.board;
    if (!board) return;
    const n = ++latest.current;
    const answer = await board.call('roster', { doc: regionDoc(city), ...(stationId ? { stationId } : {}) });
    if (n === latest.current) setView(answer);
  }, [rt, city, stationId]);
  useEffect(() => {
    void load();
  }, [load, version, rosterVersion]);

  const save = async (crew: Crew, patch: Partial<Crew>) => {
    const { updatedAt: _a, updatedBy: _b, ...rest } = { ...crew, ...patch };
    const err = await rt.session!.board.call('putCrew', { doc: regionDoc(city), crew: rest });
    setError(err ? err.message : null);
    await load();
  };
  const auto = view?.stations.find((s) => s.stationId === stationId)?.autoAssign ?? false;

  return (
    <div className="drawer roster" role="dialog" aria-label={t('roster.title')} data-testid="roster-panel">
      <header className="drawer-head">
        <h2>{t('roster.title')}</h2>
        {own ? (
          <b>{stationName(own.id)}</b>
        ) : (
          <>
            <select
              data-testid="roster-city"
              value={city}
              onChange={(e) => (setCity(e.target.value), setStationId(''))}
            >
              {FUJIAN_CITIES.map((c) => (
                <option key={c.id} value={c.id}>
                  {cityName(c.id)}
                </option>
              ))}
            </select>
            <select data-testid="roster-station" value={stationId} onChange={(e) => setStationId(e.target.value)}>
              <option value="">{t('roster.allStations')}</option>
              {STATIONS.filter((s) => s.city === city).map((s) => (
                <option key={s.id} value={s.id}>
                  {stationName(s.id)}
                </option>
              ))}
            </select>
          </>
        )}
        {stationId && (
          <label className="check" title={t('roster.autoAssignTitle')}>
            <input
              type="checkbox"
              data-testid="roster-auto-assign"
              checked={auto}
              onChange={async (e) => {
                const err = await rt.session!.board.call('setAutoAssign', {
                  doc: regionDoc(city),
                  stationId,
                  on: e.target.checked,
                });
                setError(err ? err.message : null);
                await load();
              }}
            />
            {t('roster.autoAssign')}
          </label>
        )}
        <PeriodSelect value={period} onChange={setPeriod} testId="roster-period" />
        <span className="spacer" />
        <button type="button" className="ghost" data-testid="roster-close" onClick={onClose}>
          {t('form.close')}
        </button>
      </header>
      <PeriodStatus figures={centre} onRefresh={() => setRefresh((n) => n + 1)} testId="roster-period" />
      {error && (
        <p className="notice notice-error" role="alert" data-testid="roster-error">
          {error}
        </p>
      )}
      {view && view.crews.length === 0 && <p className="muted">{t('roster.none')}</p>}
      {view && view.crews.length > 0 && (
        <table className="roster-table" data-testid="roster-table">
          <thead>
            <tr>
              <th>{t('roster.crew')}</th>
              <th>{t('roster.members')}</th>
              <th>{t('roster.skills')}</th>
              <th>{t('roster.area')}</th>
              <th>{t('roster.onDuty')}</th>
              <th title={t('roster.loadTitle')}>{t('roster.load')}</th>
              <th>{t('roster.arrivals')}</th>
              <th title={t('roster.onSiteTitle')}>{t('roster.onSiteRate')}</th>
              <th>{t('roster.flagged')}</th>
              <th>{t('roster.toAccept')}</th>
              <th>{t('roster.toArrive')}</th>
              <th>{t('roster.toHandle')}</th>
            </tr>
          </thead>
          <tbody>
            {view.crews.map((c) => {
              const f = shown?.figures[c.id];
              const people = shown?.members[c.id] ?? {};
              // The roster's members, then anyone the reports list who has left the crew since.
              const rows: { id: string; name: string; former: boolean; f: MemberFigures | undefined }[] = [
                ...c.members.map((m) => ({ id: m.id, name: m.name, former: false, f: people[m.id] })),
                ...Object.values(people)
                  .filter((p) => !c.members.some((m) => m.id === p.memberId))
                  .map((p) => ({ id: p.memberId, name: p.memberId, former: true, f: p })),
              ];
              return (
                <Fragment key={c.id}>
                  <tr data-testid="roster-crew" data-crew-id={c.id} data-on-duty={c.onDuty} data-load={f?.load ?? 0}>
                    <td>
                      <b>{c.name}</b> <span className="muted mono">{c.id}</span>
                      <div className="muted">{t(`roster.kinds.${c.kind}`)}</div>
                    </td>
                    <td>
                      {c.members.map((m, i) => (
                        <label key={m.id} className="check member">
                          <input
                            type="checkbox"
                            data-testid={`roster-member-${m.id}`}
                            checked={m.onDuty}
                            onChange={() =>
                              void save(c, {
                                members: c.members.map((x, j) => (j === i ? { ...x, onDuty: !x.onDuty } : x)),
                              })
                            }
                          />
                          {m.name} <span className="muted mono">{m.phone}</span>
                        </label>
                      ))}
                    </td>
                    <td>{c.skills.map((k) => t(`roster.skill.${k}`, { defaultValue: k })).join('、')}</td>
                    <td>{[...c.area.counties.map((k) => countyName(city, k)), ...c.area.streets].join('、')}</td>
                    <td>
                      <input
                        type="checkbox"
                        data-testid={`roster-on-duty-${c.id}`}
                        checked={c.onDuty}
                        onChange={() => void save(c, { onDuty: !c.onDuty })}
                      />
                    </td>
                    <FigureCells f={f} unknown={!shown} />
                  </tr>
                  {rows.map((p) => (
                    <tr
                      key={p.id}
                      className="roster-person"
                      data-testid="roster-person"
                      data-crew-id={c.id}
                      data-member-id={p.id}
                      data-load={p.f?.load ?? 0}
                      data-arrivals={p.f?.arrivals ?? 0}
                      title={t('roster.personTitle')}
                    >
                      <td className="person-name">
                        {p.name}
                        {p.former && <span className="muted"> ({t('roster.formerMember')})</span>}
                      </td>
                      <td colSpan={4} className="muted">
                        {t('roster.personJobs', { count: p.f?.jobs ?? 0 })}
                      </td>
                      <FigureCells f={p.f} unknown={!shown} />
                    </tr>
                  ))}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
