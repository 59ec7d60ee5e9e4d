// Figures over a period at a real centre (GET /api/figures): an order archived and swept off the live board still
// counts for its crew, the crew's members and the agent who took it; the period's bounds; who sees what; bad queries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { act, createOrder, readOrder } from '@twinline/board';
import { FiguresReportSchema } from '@twinline/board';
import type { FiguresReport } from '@twinline/board';
import { crewsOfStation } from '@twinline/demo-data/people';
import type { Actor } from '@twinline/workorder';
import type { LinkResponse, SessionResponse } from '@twinline/crew-page/contract';
import { connectClient, eventually, login, startCentreProcess } from './harness';
import type { CentreProcess, Client } from './harness';
import { uniqueJpeg } from './fixtures/photos';
import {
  CREW,
  CREW_MEMBERS,
  CREW_PLACE,
  CREW_STATION,
  LEAD_FZ,
  northOfPlace,
  rosterCrew,
} from './fixtures/crew-orders';

const AGENT: Actor = { userId: 'agent1.fz', role: 'agent', centre: 'fuzhou' };
const DISPATCHER: Actor = {
  userId: 'disp.fuzhou-gulou',
  role: 'dispatcher',
  centre: 'fuzhou',
  stationId: CREW_STATION,
};
const OTHER_STATION = 'st-fuzhou-taijiang';
const OTHER_CREW = crewsOfStation(OTHER_STATION)[0]!.id;
const [M1, M2] = CREW_MEMBERS.map((m) => m.id) as [string, string];
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

describe('figures over a period', () => {
  let centre: CentreProcess;
  const clients: Client[] = [];
  const tokens: Record<string, string> = {};
  let archivedId: string;
  let archivedMs: number;
  let openCreatedMs: number;
  /** Figures while the archived order was both on the board and in the archive. */
  let beforeSweep: FiguresReport;

  async function call<T>(path: string, init: { token?: string; body?: unknown } = {}) {
    const res = await fetch(`${centre.http}${path}`, {
      method: init.body === undefined ? 'GET' : 'POST',
      headers: {
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    return { status: res.status, body: (await res.json()) as T & { error?: string } };
  }
  const figures = (token: string, q: { city?: string; from: number | string; to: number | string }) =>
    call<FiguresReport>(
      `/api/figures?${new URLSearchParams({
        ...(q.city ? { city: q.city } : {}),
        from: typeof q.from === 'number' ? iso(q.from) : q.from,
        to: typeof q.to === 'number' ? iso(q.to) : q.to,
      })}`,
      { token },
    );
  const client = (user: string) => {
    const c = connectClient(centre, 'region/fuzhou', tokens[user]!);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    // First the order's whole loop (both evaluations come after the archive, so the order must stay on the board
    // until they are in); then the centre again with no retention, and it sweeps the order off the live board.
    centre = await startCentreProcess({ name: 'fuzhou', logLevel: 'info', flags: ['--janitor-ms', '200'] });
    for (const user of ['lead.fz', 'agent1.fz', 'disp.fuzhou-gulou', 'disp.xiamen-siming'])
      tokens[user] = await login(centre, user);
    const [lead, agent, disp] = [client('lead.fz'), client('agent1.fz'), client('disp.fuzhou-gulou')];
    await Promise.all([lead.synced(), agent.synced(), disp.synced()]);
    rosterCrew(lead.doc);

    const id = createOrder(
      agent.doc,
      {
        type: 'repair',
        channel: 'phone',
        priority: 'urgent',
        region: { city: 'fuzhou', county: 'gulou', areaClass: 'urban' },
        address: '福州市鼓楼区统计路 1 号',
        callerNumber: '13905910001',
        description: '整栋楼停电',
      },
      AGENT,
    );
    archivedId = id;
    await eventually(() => readOrder(lead.doc, id) !== undefined, 'the order reaches the lead');
    act(lead.doc, id, { action: 'dispatch', stationId: CREW_STATION }, LEAD_FZ);
    act(lead.doc, id, { action: 'take' }, LEAD_FZ);
    act(lead.doc, id, { action: 'assign', crewId: CREW }, LEAD_FZ);

    // The crew on its phone: accepts with one member, arrives (on site, with a photo) and handles with two.
    let link: { status: number; body: LinkResponse } | undefined;
    await eventually(async () => {
      link = await call<LinkResponse>('/api/crew/links', {
        token: tokens['disp.fuzhou-gulou'],
        body: { doc: 'region/fuzhou', orderId: id },
      });
      return link.status === 200;
    }, 'a crew link');
    const { session } = (
      await call<SessionResponse>('/api/crew/session', { body: { link: link!.body.url.split('#')[1] } })
    ).body;
    const step = async (path: string, body: unknown) =>
      expect((await call(`/api/crew/${path}`, { token: session, body })).status).toBe(200);
    await step('accept', { members: [M1] });
    const res = await fetch(`${centre.http}/api/crew/photos`, {
      method: 'POST',
      headers: { authorization: `Bearer ${session}`, 'content-type': 'image/jpeg' },
      body: new Uint8Array(uniqueJpeg('figures', { takenAt: new Date(), lat: CREW_PLACE.lat, lng: CREW_PLACE.lng })),
    });
    const photo = (await res.json()) as { id: string };
    await step('arrive', {
      deviceAt: new Date().toISOString(),
      offline: false,
      location: northOfPlace(100),
      photoIds: [photo.id],
      members: [M1, M2],
    });
    await step('handle', { note: '更换熔断器', location: northOfPlace(80), members: [M1, M2] });
    await step('reply', { note: '已恢复供电', members: [M2] });

    await eventually(() => readOrder(lead.doc, id)?.order.state === 'replied', 'replied');
    act(lead.doc, id, { action: 'callback', satisfaction: 'satisfied' }, LEAD_FZ);
    act(lead.doc, id, { action: 'archive' }, LEAD_FZ);
    act(lead.doc, id, { action: 'evaluate', score: 4, note: '到场及时' }, LEAD_FZ);
    await eventually(() => readOrder(disp.doc, id)?.order.evaluations.centre !== undefined, 'archived and rated');
    act(disp.doc, id, { action: 'evaluate', score: 2, note: '地址写错了小区名' }, DISPATCHER);
    await eventually(() => readOrder(lead.doc, id)?.order.evaluations.station !== undefined, 'rated by the station');
    archivedMs = Date.parse(readOrder(lead.doc, id)!.order.stateSince);
    // Archived: copied into the archive at once, and on the board for its retention too.
    await eventually(async () => {
      const found = await call<{ results: unknown[] }>(`/api/archive?q=${encodeURIComponent('统计路 1 号')}`, {
        token: tokens['lead.fz'],
      });
      return found.body.results.length === 1;
    }, 'the order in the archive');
    beforeSweep = (await figures(tokens['lead.fz']!, { city: 'fuzhou', from: archivedMs, to: archivedMs + 1 })).body;

    for (const c of clients.splice(0)) c.destroy();
    await centre.stop();
    centre = await startCentreProcess({
      name: 'fuzhou',
      dataDir: centre.dataDir,
      logLevel: 'info',
      flags: ['--retention-ms', '0', '--janitor-ms', '200'],
    });
    await centre.waitForLog((l) => l.msg === 'archived orders left the live board');

    // Now, on the board: an open order of the same crew, and one of another station's crew.
    const lead2 = client('lead.fz');
    await lead2.synced();
    expect(readOrder(lead2.doc, id)).toBeUndefined();
    const open = (county: string, stationId: string, crewId: string, address: string) => {
      const oid = createOrder(
        lead2.doc,
        {
          type: 'repair',
          channel: 'phone',
          priority: 'normal',
          region: { city: 'fuzhou', county, areaClass: 'urban' },
          address,
          callerNumber: '13905910002',
          description: '电表不走字',
        },
        LEAD_FZ,
      );
      act(lead2.doc, oid, { action: 'dispatch', stationId }, LEAD_FZ);
      act(lead2.doc, oid, { action: 'take' }, LEAD_FZ);
      act(lead2.doc, oid, { action: 'assign', crewId }, LEAD_FZ);
      return Date.parse(readOrder(lead2.doc, oid)!.order.createdAt);
    };
    openCreatedMs = open('gulou', CREW_STATION, CREW, '福州市鼓楼区统计路 2 号');
    await new Promise((r) => setTimeout(r, 20)); // the other station's order is created strictly later
    open('taijiang', OTHER_STATION, OTHER_CREW, '福州市台江区统计路 3 号');
  }, 120_000);

  afterAll(async () => {
    for (const c of clients) c.destroy();
    await centre?.stop();
  });

  it('counts an archived order once while it is both on the board and in the archive', () => {
    expect(beforeSweep.orders).toEqual({ live: 1, archived: 0 });
    expect(beforeSweep.crews[CREW]).toMatchObject({ assigned: 1, arrivals: 1 });
    expect(beforeSweep.ratings.agents[AGENT.userId]).toMatchObject({ count: 1, mean: 2 });
  });

  it('counts an order swept off the live board for its crew, its members and the agent who took it', async () => {
    const period = { city: 'fuzhou', from: archivedMs - HOUR, to: Date.now() + HOUR };
    let r!: Awaited<ReturnType<typeof figures>>;
    await eventually(async () => {
      r = await figures(tokens['lead.fz']!, period);
      return r.body.crews[OTHER_CREW] !== undefined;
    }, 'the open orders at the centre');
    expect(r.status).toBe(200);
    expect(FiguresReportSchema.safeParse(r.body).success).toBe(true); // what the console checks the answer with
    expect(r.body.orders).toEqual({ live: 2, archived: 1 });
    expect(r.body.crews[CREW]).toMatchObject({ assigned: 2, arrivals: 1, verifiedArrivals: 1, flagged: 0, load: 1 });
    expect(r.body.crews[CREW]!.minutesToAccept).toBeTypeOf('number');
    expect(r.body.crews[CREW]!.minutesToHandle).toBeTypeOf('number');
    expect(r.body.crews[OTHER_CREW]).toMatchObject({ assigned: 1, arrivals: 0, load: 1 });
    expect(r.body.members[CREW]![M1]).toMatchObject({ jobs: 1, arrivals: 1, verifiedArrivals: 1, load: 0 });
    expect(r.body.members[CREW]![M1]!.minutesToAccept).toBeTypeOf('number');
    expect(r.body.members[CREW]![M2]).toMatchObject({ jobs: 1, arrivals: 1, verifiedArrivals: 1 });
    expect(r.body.members[CREW]![M2]!.minutesToAccept).toBeNull();
    expect(r.body.ratings.agents[AGENT.userId]).toMatchObject({ count: 1, mean: 2 });
    expect(r.body.ratings.agents[AGENT.userId]!.comments).toEqual([
      expect.objectContaining({ orderId: archivedId, score: 2, note: '地址写错了小区名' }),
    ]);
    expect(r.body.ratings.stations[CREW_STATION]).toMatchObject({ count: 1, mean: 4 });

    // The console's live view would have none of it: the order is in the archive only.
    const archive = await call<{ results: { id: string }[] }>(`/api/archive?q=${encodeURIComponent('统计路 1 号')}`, {
      token: tokens['lead.fz'],
    });
    expect(archive.body.results.map((x) => x.id)).toEqual([archivedId]);
  });

  it('counts an archived order in the period it was archived in, and an open one in every period to its creation', async () => {
    const lead = tokens['lead.fz']!;
    const at = await figures(lead, { city: 'fuzhou', from: archivedMs, to: archivedMs + 1 });
    expect(at.body.orders).toEqual({ live: 0, archived: 1 });
    expect(at.body.crews[CREW]).toMatchObject({ assigned: 1, load: 0 });
    expect(at.body.ratings.agents[AGENT.userId]).toMatchObject({ count: 1 });

    const before = await figures(lead, { city: 'fuzhou', from: archivedMs - 24 * HOUR, to: archivedMs });
    expect(before.body).toMatchObject({ orders: { live: 0, archived: 0 }, crews: {}, members: {} });
    expect(before.body.ratings).toEqual({ agents: {}, stations: {} });

    const after = await figures(lead, { city: 'fuzhou', from: archivedMs + 1, to: Date.now() + HOUR });
    expect(after.body.orders).toEqual({ live: 2, archived: 0 });
    expect(after.body.crews[CREW]).toMatchObject({ assigned: 1, arrivals: 0, load: 1 });
    expect(after.body.ratings).toEqual({ agents: {}, stations: {} });

    // The open order counts up to the instant it was created, not before.
    const untilOpened = await figures(lead, { city: 'fuzhou', from: archivedMs + 1, to: openCreatedMs });
    expect(untilOpened.body.orders.live).toBe(0);
    const withOpened = await figures(lead, { city: 'fuzhou', from: archivedMs + 1, to: openCreatedMs + 1 });
    expect(withOpened.body.orders.live).toBe(1);
    expect(Object.keys(withOpened.body.crews)).toEqual([CREW]);

    // Without a city: every city the lead may read.
    const all = await figures(lead, { from: archivedMs - HOUR, to: Date.now() + HOUR });
    expect(all.body.cities).toHaveLength(9);
    expect(all.body.orders).toEqual({ live: 2, archived: 1 });
    expect(all.body.crews[CREW]).toMatchObject({ assigned: 2 });
  });

  it("shows a dispatcher its own station's crews, members and rating only; agents and other cities are refused", async () => {
    const period = { from: archivedMs - HOUR, to: Date.now() + HOUR };
    const own = await figures(tokens['disp.fuzhou-gulou']!, { ...period, city: 'fuzhou' });
    expect(own.status).toBe(200);
    expect(Object.keys(own.body.crews)).toEqual([CREW]);
    expect(Object.keys(own.body.members)).toEqual([CREW]);
    expect(own.body.ratings.agents).toEqual({});
    expect(Object.keys(own.body.ratings.stations)).toEqual([CREW_STATION]);
    const mine = await figures(tokens['disp.fuzhou-gulou']!, period);
    expect(mine.body.cities).toEqual(['fuzhou']);
    expect(Object.keys(mine.body.crews)).toEqual([CREW]);

    const otherCity = await figures(tokens['disp.xiamen-siming']!, { ...period, city: 'fuzhou' });
    expect(otherCity.status).toBe(403);
    expect(otherCity.body.error).toMatch(/own city only \(xiamen\)/);
    const agent = await figures(tokens['agent1.fz']!, { ...period, city: 'fuzhou' });
    expect(agent.status).toBe(403);
    expect(agent.body.error).toMatch(/team leads/);
    const nobody = await call(`/api/figures?city=fuzhou&from=${iso(period.from)}&to=${iso(period.to)}`);
    expect(nobody.status).toBe(401);
  });

  it('refuses bad queries with 400 and says what is wrong', async () => {
    const lead = tokens['lead.fz']!;
    const now = Date.now();
    const bad = async (q: Record<string, string | number>, message: RegExp) => {
      const r = await call(
        `/api/figures?${new URLSearchParams(Object.entries(q).map(([k, v]) => [k, typeof v === 'number' ? iso(v) : v]))}`,
        { token: lead },
      );
      expect(r.status).toBe(400);
      expect(r.body.error).toMatch(message);
    };
    await bad({ city: 'fuzhou', from: 'yesterday', to: now }, /^from: an ISO date-time/);
    await bad({ city: 'fuzhou', from: '2026-11-01', to: now }, /^from: an ISO date-time/);
    await bad({ city: 'fuzhou', to: now }, /^from: /);
    await bad({ city: 'fuzhou', from: now, to: now }, /^to: must be after from/);
    await bad({ city: 'fuzhou', from: now, to: now - HOUR }, /^to: must be after from/);
    await bad({ city: 'fuzhou', from: now - 367 * 24 * HOUR, to: now }, /^to: the period is at most 366 days/);
    await bad({ city: 'beijing', from: now - HOUR, to: now }, /^city: must be one of fuzhou, xiamen/);
    const year = await figures(lead, { city: 'fuzhou', from: now - 366 * 24 * HOUR, to: now });
    expect(year.status).toBe(200);
  });
});
