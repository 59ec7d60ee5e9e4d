// Fixtures shared by this package's tests (not exported from the package).
import * as Y from 'yjs';
import type { Actor, OrderDraft } from '@twinline/workorder';

export function draftFor(city = 'fuzhou', description = '停电，整栋楼没电'): OrderDraft {
  return {
    type: 'repair',
    channel: 'phone',
    priority: 'urgent',
    region: { city, county: 'gulou', areaClass: 'urban' },
    address: '福州市鼓楼区五四路 100 号',
    callerNumber: '13800000000',
    callerName: '林先生',
    description,
  };
}

export const agent: Actor = { userId: 'agent-1', role: 'agent', centre: 'fuzhou' };
export const agentXm: Actor = { userId: 'agent-9', role: 'agent', centre: 'xiamen' };
export const lead: Actor = { userId: 'lead-1', role: 'team_lead', centre: 'fuzhou' };
export const dispatcherA: Actor = {
  userId: 'disp-a',
  role: 'dispatcher',
  centre: 'fuzhou',
  stationId: 'st-fuzhou-gulou',
};
export const dispatcherB: Actor = {
  userId: 'disp-b',
  role: 'dispatcher',
  centre: 'fuzhou',
  stationId: 'st-fuzhou-taijiang',
};

/** A replica of `doc` (its own clientID), as a second console would hold it. */
export function cloneDoc(doc: Y.Doc, clientID?: number): Y.Doc {
  const copy = new Y.Doc();
  if (clientID !== undefined) copy.clientID = clientID;
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
  return copy;
}

/** Sends everything each doc has that the other lacks, both ways. */
export function sync(a: Y.Doc, b: Y.Doc): void {
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)));
}
