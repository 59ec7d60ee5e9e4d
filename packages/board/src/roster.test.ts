import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import type { Actor } from '@twinline/workorder';
import { crewChoices, crewLoads, pickCrew, putCrew, readCrews, readStations, setAutoAssign } from './roster';
import type { Crew } from './roster';
import { agent, dispatcherA, dispatcherB, lead } from './testkit';

const crew = (id: string, patch: Partial<Crew> = {}): Omit<Crew, 'updatedAt' | 'updatedBy'> => ({
  id,
  stationId: dispatcherA.stationId!,
  name: '抢修一班',
  kind: 'repair',
  skills: ['line'],
  area: { counties: ['gulou'], streets: [] },
  onDuty: true,
  members: [{ id: `${id}-m1`, name: '王强', phone: '13800000001', onDuty: true }],
  ...patch,
});
const place = { stationId: dispatcherA.stationId!, city: 'fuzhou', county: 'gulou', address: '福州市鼓楼区五四路1号' };

describe("a station's roster", () => {
  it("is kept by its own dispatcher or a team lead; a bad crew is refused whole, another station's is not writable", () => {
    const doc = new Y.Doc();
    putCrew(doc, crew('c1'), dispatcherA);
    putCrew(doc, crew('c2', { name: '营业班', kind: 'service' }), lead);
    expect(() => putCrew(doc, crew('c3'), dispatcherB)).toThrow(/may not change/);
    expect(() => putCrew(doc, crew('c4'), agent as Actor)).toThrow(/may not change/);
    expect(() =>
      putCrew(doc, crew('c5', { members: [{ id: 'm', name: '李', phone: 'abc', onDuty: true }] }), lead),
    ).toThrow(/members\.0\.phone/);
    expect(readCrews(doc).map((c) => [c.id, c.updatedBy])).toEqual([
      ['c1', dispatcherA.userId],
      ['c2', lead.userId],
    ]);
    setAutoAssign(doc, dispatcherA.stationId!, true, dispatcherA);
    expect(readStations(doc).get(dispatcherA.stationId!)).toMatchObject({ autoAssign: true });
  });

  it('sends an order to the least-loaded crew on duty whose kind and area fit; none when nobody fits', () => {
    const crews = [
      crew('a', {}),
      crew('b', {}),
      crew('off', { onDuty: false }),
      crew('nobody-on', { members: [{ id: 'x', name: '赵', phone: '13800000002', onDuty: false }] }),
      crew('service', { kind: 'service' }),
      crew('elsewhere', { area: { counties: ['cangshan'], streets: [] } }),
      crew('street', { area: { counties: [], streets: ['五四路'] } }),
    ] as Crew[];
    const loads = crewLoads([
      { state: 'assigned', crewId: 'a' },
      { state: 'on_site', crewId: 'a' },
      { state: 'assigned', crewId: 'b' },
      { state: 'archived', crewId: 'street' },
      { state: 'on_site', crewId: 'street' },
    ]);
    expect(loads.get('a')).toBe(2);
    expect(pickCrew(crews, { ...place, type: 'repair' }, loads)?.id).toBe('b'); // b and street have 1: b first by id
    expect(pickCrew(crews, { ...place, type: 'complaint' }, loads)?.id).toBe('service');
    expect(pickCrew(crews, { ...place, type: 'repair', county: 'minhou', address: '闽侯县' }, loads)).toBeNull();
    expect(pickCrew(crews, { ...place, type: 'repair', stationId: 'st-other' }, loads)).toBeNull();

    // The dispatcher's choice for a repair: the fitting crews first by load (the suggestion on top), then those that
    // miss on area, on type, on duty, with what each misses.
    const choices = crewChoices(crews, { ...place, type: 'repair' }, loads);
    expect(choices.map((c) => [c.crew.id, c.load, c.suggested])).toEqual([
      ['b', 1, true],
      ['street', 1, false],
      ['a', 2, false],
      ['elsewhere', 0, false],
      ['service', 0, false],
      ['nobody-on', 0, false],
      ['off', 0, false],
    ]);
    expect(choices.find((c) => c.crew.id === 'elsewhere')).toMatchObject({ covers: false, takesType: true });
    expect(choices.find((c) => c.crew.id === 'off')).toMatchObject({ available: false, covers: true });
    expect(
      crewChoices(crews, { ...place, type: 'repair', county: 'minhou', address: '闽侯县' }, loads)[0],
    ).toMatchObject({ suggested: false, covers: false });
  });
});
