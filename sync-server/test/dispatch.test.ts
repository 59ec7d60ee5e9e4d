// Automatic dispatch by real twin centres (src/dispatch.ts): a repair order an agent opens goes to its county's
// station within moments, and at a station that assigns automatically to the least-loaded on-duty crew of the right
// kind covering the address, written once by the order's centre and seen the same at both; a consultation stays with
// the agent; an order a station sent back is not sent again; a station without automatic assignment gets the order
// but no crew; with its centre down the twin dispatches the order, once. And the demo roster both centres seed.
import { rmSync } from 'node:fs';
import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  act,
  createOrder,
  putCrew,
  readCrews,
  readOrder,
  readStations,
  restoreOutage,
  setAutoAssign,
} from '@twinline/board';
import type { Crew } from '@twinline/board';
import { stationsOfCity } from '@twinline/demo-data';
import { CREWS, actorOf, findAccount } from '@twinline/demo-data/people';
import type { Actor, OrderDraft, OrderEvent } from '@twinline/workorder';
import { DEMO_ROSTER_AT, demoRosterUpdate } from '../src/demo';
import { connectClient, eventually, freePort, login, startCentreProcess, startTwinCentre } from './harness';
import type { CentreProcess, Client } from './harness';

const GULOU = 'st-fuzhou-gulou';
const TAIJIANG = 'st-fuzhou-taijiang';
const actor = (username: string): Actor => actorOf(findAccount(username)!);
const SYSTEM = (centre: string) => ({ userId: 'system', role: 'admin', centre });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function draft(county: 'gulou' | 'taijiang' | 'cangshan', type: OrderDraft['type'], address: string): OrderDraft {
  return {
    type,
    channel: 'phone',
    priority: 'urgent',
    region: { city: 'fuzhou', county, areaClass: 'urban' },
    address,
    callerNumber: '13805910001',
    description: type === 'consultation' ? '咨询峰谷电价' : '家里突然停电',
  };
}

function crew(id: string, stationId: string, county: string, extra: Partial<Crew> = {}) {
  return {
    id,
    stationId,
    name: '抢修班',
    kind: 'repair' as const,
    skills: ['line'],
    area: { counties: [county], streets: [] },
    onDuty: true,
    members: [{ id: `${id}-m1`, name: '陈师傅', phone: '13905910001', onDuty: true }],
    ...extra,
  };
}

const history = (c: Client, id: string): OrderEvent[] => readOrder(c.doc, id)?.order.history ?? [];
const actions = (c: Client, id: string) => history(c, id).map((e) => e.action);

describe('automatic dispatch at the twin centres', () => {
  const clients: Client[] = [];
  let ports: { fuzhou: number; xiamen: number };
  let fuzhou: CentreProcess;
  let xiamen: CentreProcess;
  let agentFz: Client; // an agent's console at fuzhou
  let leadXm: Client; // a team lead's console at xiamen
  const start = (name: 'fuzhou' | 'xiamen', dataDir?: string) =>
    startTwinCentre(name, ports, { dataDir, flags: ['--dispatch-ms', '2000', '--demo-roster', 'off'] });
  const open = async (centre: CentreProcess, user: string) => {
    const c = connectClient(centre, 'region/fuzhou', await login(centre, user));
    clients.push(c);
    await c.synced();
    return c;
  };
  const peered = async (c: CentreProcess) =>
    ((await (await fetch(`${c.http}/health`)).json()) as { peerConnected: boolean }).peerConnected;

  beforeAll(async () => {
    ports = { fuzhou: await freePort(), xiamen: await freePort() };
    [fuzhou, xiamen] = await Promise.all([start('fuzhou'), start('xiamen')]);
    await eventually(async () => (await peered(fuzhou)) && (await peered(xiamen)), 'the twins are linked', 20_000);
    // Each centre writes nothing for a moment after its twin comes or goes; from here on both know it is up.
    const settled = (l: Record<string, unknown>) => l.component === 'dispatch' && l.twin === 'up';
    await Promise.all([fuzhou.waitForLog(settled), xiamen.waitForLog(settled)]);
    // Gulou assigns automatically: two repair crews on duty, one off duty, one service crew; Taijiang does not.
    const lead = await open(fuzhou, 'lead.fz');
    const by = actor('lead.fz');
    putCrew(lead.doc, crew(`${GULOU}-c1`, GULOU, 'gulou'), by);
    putCrew(lead.doc, crew(`${GULOU}-c2`, GULOU, 'gulou', { onDuty: false }), by);
    putCrew(lead.doc, crew(`${GULOU}-c3`, GULOU, 'gulou', { kind: 'service', skills: ['business'] }), by);
    putCrew(lead.doc, crew(`${GULOU}-c4`, GULOU, 'gulou'), by);
    putCrew(lead.doc, crew(`${TAIJIANG}-c1`, TAIJIANG, 'taijiang'), by);
    setAutoAssign(lead.doc, GULOU, true, by);
    setAutoAssign(lead.doc, TAIJIANG, false, by);
    agentFz = await open(fuzhou, 'agent.fz');
    leadXm = await open(xiamen, 'lead.xm');
    await eventually(
      () => readCrews(leadXm.doc).length === 5 && readStations(leadXm.doc).size === 2,
      'the roster reaches xiamen',
    );
  }, 90_000);

  afterAll(async () => {
    for (const c of clients) c.destroy();
    await Promise.all([fuzhou?.stop(), xiamen?.stop()]);
    for (const d of [fuzhou?.dataDir, xiamen?.dataDir]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it('a repair order goes to its station and its least-loaded fitting crew in moments, once, seen alike at both', async () => {
    const a = createOrder(agentFz.doc, draft('gulou', 'repair', '福州市鼓楼区五四路 158 号'), actor('agent.fz'));
    // No one clicks: within a few seconds (about 0.2 s here) the team lead at the twin sees it with its crew.
    await eventually(() => readOrder(leadXm.doc, a)?.order.state === 'assigned', 'the order is assigned', 5_000);
    const first = readOrder(leadXm.doc, a)!;
    expect(first.order).toMatchObject({ stationId: GULOU, crewId: `${GULOU}-c1` });
    expect(actions(leadXm, a)).toEqual(['create', 'dispatch', 'take', 'assign']);
    for (const e of history(leadXm, a).slice(1)) expect(e.by).toEqual(SYSTEM('fuzhou'));

    // The next one goes to the other repair crew on duty (c1 now has one order); never to the crew off duty (c2) nor
    // to the service crew (c3), though both have none.
    const b = createOrder(agentFz.doc, draft('gulou', 'repair', '福州市鼓楼区杨桥路 1 号'), actor('agent.fz'));
    await eventually(() => readOrder(leadXm.doc, b)?.order.state === 'assigned', 'the second order is assigned');
    expect(readOrder(leadXm.doc, b)!.order.crewId).toBe(`${GULOU}-c4`);

    // Several passes of both centres later: one dispatch, one assignment each, and nothing lost a race.
    await sleep(2_500);
    for (const c of [agentFz, leadXm]) {
      for (const id of [a, b]) {
        expect(actions(c, id)).toEqual(['create', 'dispatch', 'take', 'assign']);
        expect(readOrder(c.doc, id)!.superseded).toEqual([]);
      }
    }
  }, 30_000);

  it('an order opened at xiamen is moved by xiamen; a consultation stays with the agent', async () => {
    const agentXm = await open(xiamen, 'agent.xm');
    const q = createOrder(agentXm.doc, draft('gulou', 'consultation', '福州市鼓楼区东街 8 号'), actor('agent.xm'));
    const r = createOrder(agentXm.doc, draft('gulou', 'repair', '福州市鼓楼区东街 9 号'), actor('agent.xm'));
    await eventually(() => readOrder(agentFz.doc, r)?.order.state === 'assigned', 'the repair order is assigned');
    expect(history(agentFz, r)[1]!.by).toEqual(SYSTEM('xiamen'));
    // c1 and c4 have one order each: the tie goes to the first by id.
    expect(readOrder(agentFz.doc, r)!.order.crewId).toBe(`${GULOU}-c1`);
    await sleep(2_500);
    expect(actions(agentFz, q)).toEqual(['create']);
    expect(actions(leadXm, q)).toEqual(['create']);
    expect(actions(leadXm, r)).toEqual(['create', 'dispatch', 'take', 'assign']);
  }, 30_000);

  it('a station without automatic assignment gets the order but no crew; what it sends back is not sent again', async () => {
    const c = createOrder(agentFz.doc, draft('taijiang', 'repair', '福州市台江区五一路 3 号'), actor('agent.fz'));
    await eventually(() => readOrder(leadXm.doc, c)?.order.state === 'dispatched', 'the order is dispatched');
    expect(readOrder(leadXm.doc, c)!.order.stationId).toBe(TAIJIANG);
    await sleep(2_500); // a pass of both centres: Taijiang has a repair crew on duty, yet nobody assigns it
    expect(readOrder(leadXm.doc, c)!.order).toMatchObject({ state: 'dispatched', crewId: undefined });
    expect(actions(leadXm, c)).toEqual(['create', 'dispatch']);

    const station = await open(fuzhou, 'disp.fuzhou-taijiang');
    act(station.doc, c, { action: 'send_back', reason: '地址不在本站辖区' }, actor('disp.fuzhou-taijiang'));
    await eventually(() => readOrder(agentFz.doc, c)?.order.state === 'accepted', 'the agent sees it sent back');
    // A later order is dispatched (so the centres have looked at the document since), the returned one is not.
    const d = createOrder(agentFz.doc, draft('taijiang', 'repair', '福州市台江区五一路 5 号'), actor('agent.fz'));
    await eventually(() => readOrder(leadXm.doc, d)?.order.state === 'dispatched', 'the later order is dispatched');
    await sleep(2_500);
    expect(actions(leadXm, c)).toEqual(['create', 'dispatch', 'send_back']);
    expect(actions(agentFz, c)).toEqual(['create', 'dispatch', 'send_back']);
  }, 30_000);

  it('an order waiting at its station for a crew goes to one as soon as one comes on duty', async () => {
    const CANGSHAN = 'st-fuzhou-cangshan';
    const lead = await open(fuzhou, 'lead.fz');
    const by = actor('lead.fz');
    const offDuty = crew(`${CANGSHAN}-c1`, CANGSHAN, 'cangshan', { onDuty: false });
    putCrew(lead.doc, offDuty, by);
    setAutoAssign(lead.doc, CANGSHAN, true, by);
    await eventually(() => readStations(agentFz.doc).has(CANGSHAN), 'the setting reaches the agent');
    const e = createOrder(agentFz.doc, draft('cangshan', 'repair', '福州市仓山区首山路 9 号'), actor('agent.fz'));
    await eventually(() => readOrder(leadXm.doc, e)?.order.state === 'dispatched', 'the order reaches Cangshan');
    await sleep(2_500);
    expect(readOrder(leadXm.doc, e)!.order).toMatchObject({
      state: 'dispatched',
      stationId: CANGSHAN,
      crewId: undefined,
    });
    putCrew(lead.doc, { ...offDuty, onDuty: true }, by);
    await eventually(() => readOrder(leadXm.doc, e)?.order.crewId === offDuty.id, 'the crew on duty gets it', 5_000);
    expect(actions(leadXm, e)).toEqual(['create', 'dispatch', 'take', 'assign']);
  }, 30_000);

  it('an order opened inside an active outage waits for the agent to merge it; after the restoration it is dispatched', async () => {
    const lead = await open(fuzhou, 'lead.fz');
    const outage = createOrder(
      lead.doc,
      {
        ...draft('taijiang', 'outage', '福州市台江区洋中路（停电范围）'),
        channel: 'internal',
        description: '10kV 洋中线故障跳闸',
        outage: {
          cause: 'fault',
          area: { counties: [], streets: ['洋中路'], servicePoints: [] },
          expectedRestoreAt: new Date(Date.now() + 2 * 3600_000).toISOString(),
        },
      },
      actor('lead.fz'),
    );
    await eventually(() => readOrder(agentFz.doc, outage) !== null, 'the outage reaches the agent');
    const inside = createOrder(agentFz.doc, draft('taijiang', 'repair', '福州市台江区洋中路 8 号'), actor('agent.fz'));
    const outside = createOrder(agentFz.doc, draft('taijiang', 'repair', '福州市台江区五一路 9 号'), actor('agent.fz'));
    await eventually(() => readOrder(leadXm.doc, outside)?.order.state === 'dispatched', 'the other order goes out');
    await sleep(2_500); // a pass of both centres
    expect(actions(leadXm, inside)).toEqual(['create']);
    // Power is back and the agent did not merge it: it is an order of its own, and goes to its station.
    restoreOutage(lead.doc, outage, '线路抢修完毕', actor('lead.fz'));
    await eventually(() => readOrder(leadXm.doc, inside)?.order.state === 'dispatched', 'dispatched after restoration');
    expect(readOrder(leadXm.doc, inside)!.order.stationId).toBe(TAIJIANG);
  }, 30_000);

  it("with the order's centre down, the twin dispatches it; once, also after they meet again", async () => {
    await fuzhou.stop();
    const agentXm = await open(xiamen, 'agent.xm');
    // An order whose id names fuzhou (opened at fuzhou just before it went down, say): fuzhou's to write while it is up.
    const id = createOrder(agentXm.doc, draft('taijiang', 'repair', '福州市台江区六一路 2 号'), actor('agent.xm'), {
      id: `fuzhou-20261123-${Math.random().toString(36).slice(2, 12)}`,
    });
    await eventually(() => readOrder(leadXm.doc, id)?.order.state === 'dispatched', 'xiamen dispatches it', 20_000);
    expect(history(leadXm, id)[1]!.by).toEqual(SYSTEM('xiamen'));
    fuzhou = await start('fuzhou', fuzhou.dataDir);
    const back = await open(fuzhou, 'lead.fz');
    await eventually(() => actions(back, id).includes('dispatch'), 'the restarted fuzhou has the dispatch');
    await sleep(4_500); // fuzhou settles with its twin and looks at every document
    expect(actions(back, id)).toEqual(['create', 'dispatch']);
    expect(actions(leadXm, id)).toEqual(['create', 'dispatch']);
    expect(readOrder(leadXm.doc, id)!.superseded).toEqual([]);
  }, 60_000);
});

describe('the demo roster', () => {
  it('is the same bytes at every seeding: a second brings nothing', () => {
    const update = demoRosterUpdate('fuzhou');
    expect(demoRosterUpdate('fuzhou')).toEqual(update);
    const doc = new Y.Doc();
    Y.applyUpdate(doc, update);
    const once = Y.encodeStateAsUpdate(doc);
    Y.applyUpdate(doc, demoRosterUpdate('fuzhou'));
    expect(Y.encodeStateAsUpdate(doc)).toEqual(once);
    // Another city's roster is its own client: the two never collide.
    Y.applyUpdate(doc, demoRosterUpdate('xiamen'));
    expect(readCrews(doc).filter((c) => c.stationId.startsWith('st-xiamen-')).length).toBeGreaterThan(0);
  });

  it('every demo crew of the city, and automatic assignment at its urban stations only', async () => {
    const centre = await startCentreProcess({ name: 'fuzhou', demoOrders: 20 });
    try {
      const lead = connectClient(centre, 'region/fuzhou', await login(centre, 'lead.fz'));
      await lead.synced();
      const stations = stationsOfCity('fuzhou');
      const expected = CREWS.filter((c) => c.stationId.startsWith('st-fuzhou-'));
      const crews = readCrews(lead.doc);
      expect(crews.map((c) => c.id)).toEqual(expected.map((c) => c.id).sort());
      const c1 = crews.find((c) => c.id === expected[0]!.id)!;
      expect(c1).toEqual({
        id: expected[0]!.id,
        stationId: expected[0]!.stationId,
        name: expected[0]!.zh,
        kind: expected[0]!.kind,
        skills: expected[0]!.skills,
        area: { counties: expected[0]!.areas, streets: [] },
        onDuty: expected[0]!.onDuty,
        members: expected[0]!.members,
        updatedAt: DEMO_ROSTER_AT.toISOString(),
        updatedBy: 'system',
      });
      const settings = readStations(lead.doc);
      expect(settings.size).toBe(stations.length);
      for (const s of stations) expect(settings.get(s.id)?.autoAssign).toBe(s.areaClass === 'urban');
      expect(stations.some((s) => s.areaClass !== 'urban')).toBe(true);
      lead.destroy();
    } finally {
      await centre.stop();
      rmSync(centre.dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
