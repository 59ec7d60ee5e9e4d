import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ORDER_TYPES, STATES } from '@twinline/workorder';
import { FUJIAN_CITIES, STATIONS } from '@twinline/demo-data';
import { CREATE_ROLES, OUTAGE_ROLES } from '@twinline/workorder';
import { DeclareOutage } from '../outages/DeclareOutage';
import { RosterPanel } from '../roster/RosterPanel';
import { RatingsPanel } from '../roster/RatingsPanel';
import { useAppDispatch, useAppSelector, useRuntime } from '../../app/hooks';
import { cityName, stationName } from '../../i18n';
import { openNewOrder } from '../drafts/thunks';
import { filterChanged, filtersReset, searchChanged, sortChanged } from './boardSlice';
import type { SortKey } from './types';

export function Filters() {
  const { t } = useTranslation();
  const dispatch = useAppDispatch();
  const filters = useAppSelector((s) => s.board.filters);
  const search = useAppSelector((s) => s.board.search);
  const sort = useAppSelector((s) => s.board.sort);
  const account = useAppSelector((s) => s.session.account);
  const { board } = useRuntime();
  const shown = useAppSelector((s) => board.selectVisibleIds(s).length);
  const total = useAppSelector(board.selectRoleCount);
  const cities =
    account?.role === 'dispatcher' && account.city ? FUJIAN_CITIES.filter((c) => c.id === account.city) : FUJIAN_CITIES;
  const stations = useMemo(
    () => (filters.city ? STATIONS.filter((s) => s.city === filters.city) : STATIONS),
    [filters.city],
  );
  const canCreate = !!account && CREATE_ROLES.includes(account.role);
  const canDeclare = !!account && OUTAGE_ROLES.includes(account.role);
  const [declaring, setDeclaring] = useState(false);
  const [roster, setRoster] = useState(false);
  const [ratingsOpen, setRatingsOpen] = useState(false);
  const isLead = account?.role === 'team_lead' || account?.role === 'admin';
  const active =
    !!search ||
    !!filters.type ||
    !!filters.state ||
    !!filters.city ||
    !!filters.station ||
    filters.overdueOnly ||
    !!filters.lane;

  return (
    <div className="toolbar" role="search">
      <input
        type="search"
        className="search"
        data-testid="board-search"
        placeholder={`${t('board.search')}  /`}
        value={search}
        onChange={(e) => dispatch(searchChanged(e.target.value))}
      />
      <select
        data-testid="filter-type"
        value={filters.type}
        onChange={(e) => dispatch(filterChanged({ type: e.target.value as typeof filters.type }))}
      >
        <option value="">{t('board.filters.type')}</option>
        {ORDER_TYPES.map((v) => (
          <option key={v} value={v}>
            {t(`types.${v}`)}
          </option>
        ))}
      </select>
      <select
        data-testid="filter-state"
        value={filters.state}
        onChange={(e) => dispatch(filterChanged({ state: e.target.value as typeof filters.state }))}
      >
        <option value="">{t('board.filters.state')}</option>
        {STATES.map((v) => (
          <option key={v} value={v}>
            {t(`states.${v}`)}
          </option>
        ))}
      </select>
      <select
        data-testid="filter-city"
        value={filters.city}
        onChange={(e) => dispatch(filterChanged({ city: e.target.value }))}
      >
        <option value="">{t('board.filters.city')}</option>
        {cities.map((c) => (
          <option key={c.id} value={c.id}>
            {cityName(c.id)}
          </option>
        ))}
      </select>
      {account?.role !== 'dispatcher' && (
        <select
          data-testid="filter-station"
          value={filters.station}
          onChange={(e) => dispatch(filterChanged({ station: e.target.value }))}
        >
          <option value="">{t('board.filters.station')}</option>
          {stations.map((s) => (
            <option key={s.id} value={s.id}>
              {filters.city ? '' : `${cityName(s.city)} · `}
              {stationName(s.id)}
            </option>
          ))}
        </select>
      )}
      <label className="check">
        <input
          type="checkbox"
          data-testid="filter-overdue"
          checked={filters.overdueOnly}
          onChange={(e) => dispatch(filterChanged({ overdueOnly: e.target.checked }))}
        />
        {t('board.filters.overdue')}
      </label>
      <select
        data-testid="board-sort"
        aria-label={t('board.sort.label')}
        value={sort}
        onChange={(e) => dispatch(sortChanged(e.target.value as SortKey))}
      >
        <option value="sla">{t('board.sort.sla')}</option>
        <option value="created">{t('board.sort.created')}</option>
      </select>
      {active && (
        <button type="button" className="ghost" data-testid="filter-reset" onClick={() => dispatch(filtersReset())}>
          {t('board.filters.reset')}
        </button>
      )}
      <span className="count" data-testid="board-count" data-shown={shown} data-total={total}>
        {account && <span className="scope">{t(`board.scope.${account.role}`)}</span>}
        {t('board.count', { shown, total })}
      </span>
      <span className="spacer" />
      {canDeclare && (
        <button type="button" className="danger" data-testid="declare-outage" onClick={() => setDeclaring(true)}>
          {t('outage.button')}
        </button>
      )}
      {declaring && <DeclareOutage onClose={() => setDeclaring(false)} />}
      {canDeclare && (
        <button type="button" className="ghost" data-testid="roster-button" onClick={() => setRoster(true)}>
          {t('roster.button')}
        </button>
      )}
      {roster && <RosterPanel onClose={() => setRoster(false)} />}
      {isLead && (
        <button type="button" className="ghost" data-testid="ratings-button" onClick={() => setRatingsOpen(true)}>
          {t('ratings.button')}
        </button>
      )}
      {ratingsOpen && <RatingsPanel onClose={() => setRatingsOpen(false)} />}
      {canCreate && (
        <button
          type="button"
          className="primary"
          data-testid="new-order-button"
          onClick={() => dispatch(openNewOrder())}
        >
          {t('board.newOrder')} <kbd>N</kbd>
        </button>
      )}
    </div>
  );
}
