// Declaring a mass outage from the console: the master order is created in the city's board document by the board
// worker (the guard at the centre checks the role again), then opened in the panel.
import { regionDoc } from '@twinline/board/access';
import { OUTAGE_ROLES } from '@twinline/workorder';
import type { AppThunk } from '../../app/store';
import { orderOpened } from '../board/boardSlice';
import { countyName } from '../../i18n';
import { STATIONS } from '@twinline/demo-data';
import { outageDraft } from './declare';
import type { OutageField, OutageFormValues } from './declare';

export type DeclareResult = { id: string } | { errors: Partial<Record<OutageField | 'submit', string>> };

export const declareOutage =
  (values: OutageFormValues): AppThunk<Promise<DeclareResult>> =>
  async (dispatch, getState, rt) => {
    const account = getState().session.account;
    const session = rt.session;
    if (!account || !session || !OUTAGE_ROLES.includes(account.role))
      return { errors: { submit: 'only a station dispatcher or a team lead declares an outage' } };
    const home = STATIONS.find((st) => st.id === account.stationId);
    const r = outageDraft(values, {
      countyName: (id) => countyName(values.city, id),
      ...(home?.city === values.city ? { homeCounty: home.county } : {}),
    });
    if ('errors' in r) return r;
    try {
      const created = await session.board.call('createOrder', { doc: regionDoc(values.city), draft: r.draft });
      if ('code' in created) return { errors: { submit: created.message } };
      dispatch(orderOpened(created.id));
      return { id: created.id };
    } catch (error) {
      return { errors: { submit: error instanceof Error ? error.message : String(error) } };
    }
  };
