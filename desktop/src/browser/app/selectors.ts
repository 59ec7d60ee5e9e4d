import { createSelector } from '@reduxjs/toolkit';
import type { Actor } from '@twinline/workorder';
import type { RootState } from './store';

/** The actor this console acts as: the account, on the centre the board is synced with now. */
export const selectActor = createSelector(
  [(s: RootState) => s.session.account, (s: RootState) => s.connection.centre],
  (account, centre): Actor | null => {
    if (!account) return null;
    const actor: Actor = { userId: account.userId, role: account.role, centre: centre ?? account.centre };
    if (account.stationId) actor.stationId = account.stationId;
    return actor;
  },
);
