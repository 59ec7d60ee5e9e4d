import { useTranslation } from 'react-i18next';
import { useAppDispatch, useAppSelector, useRuntime } from '../../app/hooks';
import { filterChanged, sortChanged } from './boardSlice';
import { ROLE_LANES } from './lanes';
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
