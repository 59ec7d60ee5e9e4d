import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppDispatch, useAppSelector, useRuntime } from '../../app/hooks';
import { filterChanged, sortChanged } from './boardSlice';
import { ARRIVALS_LANE, ROLE_LANES } from './lanes';
import type { Lane } from './lanes';

/**
 * The role's inbox as tabs over the board (a station's dispatcher: new, to assign, in the field, to reply, urged,
 * paused, closed; an agent: sent back, callbacks), each with its count. A tab filters the board; the board stays
 * sorted most urgent first, then newest.
 */
export function InboxLanes() {
  const { t } = useTranslation();
  const dispatch = useAppDispatch();
  const { board } = useRuntime();
  const role = useAppSelector((s) => s.session.account?.role);
  const lane = useAppSelector((s) => s.board.filters.lane);
  const counts = useAppSelector(board.selectLaneCounts);
  const lanes = role ? ROLE_LANES[role] : undefined;
  const arrivals = role ? ARRIVALS_LANE[role] : undefined;
  useArrivalAlert(arrivals ? (counts[arrivals] ?? 0) : 0);
  if (!lanes) return null;
  const choose = (l: Lane | '') => {
    dispatch(filterChanged({ lane: l }));
    if (l) dispatch(sortChanged('sla'));
  };
  return (
    <nav className="lanes" role="tablist" aria-label={t('lanes.label')} data-testid="inbox-lanes">
      <button
        type="button"
        role="tab"
        aria-selected={lane === ''}
        className={lane === '' ? 'lane active' : 'lane'}
        data-testid="lane-all"
        onClick={() => choose('')}
      >
        {t('lanes.all')}
      </button>
      {lanes.map((l) => {
        const n = counts[l] ?? 0;
        return (
          <button
            key={l}
            type="button"
            role="tab"
            aria-selected={lane === l}
            className={`lane${lane === l ? ' active' : ''}${n > 0 && l !== 'closed' ? ' due' : ''}`}
            data-testid={`lane-${l}`}
            data-count={n}
            title={t(`lanes.titles.${l}`)}
            onClick={() => choose(lane === l ? '' : l)}
          >
            {t(`lanes.names.${l}`)}
            <span className="lane-count">{n}</span>
          </button>
        );
      })}
    </nav>
  );
}

/** A soft two-note chime (no sound file: the console ships none), at a third of full volume. */
function chime(): void {
  try {
    const ctx = new AudioContext();
    const gain = ctx.createGain();
    gain.gain.value = 0.3;
    gain.connect(ctx.destination);
    [880, 660].forEach((hz, i) => {
      const osc = ctx.createOscillator();
      osc.frequency.value = hz;
      osc.connect(gain);
      osc.start(ctx.currentTime + i * 0.18);
      osc.stop(ctx.currentTime + i * 0.18 + 0.15);
    });
    setTimeout(() => void ctx.close(), 1000);
  } catch {
    // no audio output: the title still says it
  }
}

/**
 * New work for the role (a station's new orders, an agent's orders sent back): the count leads the window's title,
 * so it shows on the taskbar while the console is behind another window, and a rise chimes once. The first count
 * after sign-in (the board loading) is not news.
 */
function useArrivalAlert(count: number): void {
  const { t } = useTranslation();
  const seen = useRef<number | null>(null);
  useEffect(() => {
    const title = t('app.title');
    document.title = count > 0 ? `(${count}) ${title}` : title;
    return () => {
      document.title = title;
    };
  }, [count, t]);
  useEffect(() => {
    const loaded = seen.current !== null;
    if (loaded && count > seen.current!) chime();
    if (!loaded) {
      // Wait for the board to settle before counting rises (the cached board and then the centre's arrive first).
      const timer = setTimeout(() => (seen.current = count), 3000);
      return () => clearTimeout(timer);
    }
    seen.current = count;
    return undefined;
  }, [count]);
}
