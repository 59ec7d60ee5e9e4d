// Field crews through their mobile page's API, against real twin centres: single-use links, crew sessions, photos
// with and without EXIF, every step written by the centre with the crew as actor and the evidence it computed (and
// who of the crew was on the job, members its roster does not have kept and flagged), and every kind of malformed
// input refused with nothing stored half-way.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { act, putCrew, readOrder } from '@twinline/board';
import { openDatabase } from '@twinline/sql';
import type { SqlDriver } from '@twinline/sql';
import type { Evidence, OrderEvent } from '@twinline/workorder';
import type { Job, LinkResponse, PhotoResponse, SessionResponse, StepResponse } from '@twinline/crew-page/contract';
import { connectClient, eventually, login, startTwins } from './harness';
import type { Client } from './harness';
import { PLAIN_JPEG, PLAIN_PNG, uniqueJpeg } from './fixtures/photos';
import {
  CREW,
  CREW_MEMBERS,
  CREW_PLACE,
  CREW_STATION,
  LEAD_FZ,
  OTHER_CREW,
  assignedOrder as makeOrder,
  northOfPlace,
  rosterCrew,
} from './fixtures/crew-orders';

const STATION = CREW_STATION;
const PLACE = CREW_PLACE;
const LEAD = LEAD_FZ;
const north = northOfPlace;
/** A crew of the station that is in no roster (the demo's or the test's). */
const UNKNOWN_CREW = `${CREW_STATION}-c9`;
const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000);

type Twins = Awaited<ReturnType<typeof startTwins>>;

interface Answer<T> {
  status: number;
  body: T & { error?: string };
}

describe('field crews', () => {
  let twins: Twins;
  let lead: Client;
  let leadXm: Client;
  let dispatcherToken: string;
  let leadToken: string;
  let db: SqlDriver;
  let n = 0;

  async function call<T>(path: string, init: { token?: string; body?: unknown; raw?: Buffer; type?: string } = {}) {
    const headers: Record<string, string> = {};
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    if (init.type) headers['content-type'] = init.type;
    const res = await fetch(`${twins.fuzhou.http}${path}`, {
      method: init.body !== undefined || init.raw ? 'POST' : 'GET',
      headers,
      body: init.raw ? new Uint8Array(init.raw) : init.body !== undefined ? JSON.stringify(init.body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as T & { error?: string } } as Answer<T>;
  }

  /** A new order of the Gulou station, assigned (at `assignAt`) to `crew`. */
  async function assignedOrder(opts: { crew?: string; assignAt?: Date } = {}): Promise<string> {
    n += 1;
    return makeOrder(lead.doc, { address: `福州市鼓楼区外勤测试路 ${n} 号`, note: '带上备用熔断器', ...opts });
  }

  /** A link for the order from its station's dispatcher, retried until the centre has the assignment. */
  async function linkFor(orderId: string): Promise<Answer<LinkResponse>> {
    let link: Answer<LinkResponse> | undefined;
    await eventually(async () => {
      link = await call<LinkResponse>('/api/crew/links', {
        token: dispatcherToken,
        body: { doc: 'region/fuzhou', orderId },
      });
      return link.status === 200;
    }, `a crew link for ${orderId}`);
    return link!;
  }

  /** A link for the order, exchanged for a crew session. */
  async function sessionFor(orderId: string): Promise<{ link: string; session: string }> {
    const token = (await linkFor(orderId)).body.url.split('#')[1]!;
    const s = await call<SessionResponse>('/api/crew/session', { body: { link: token } });
    expect(s.status).toBe(200);
    return { link: token, session: s.body.session };
  }

  async function photo(session: string, bytes: Buffer, type = 'image/jpeg') {
    return call<PhotoResponse>('/api/crew/photos', { token: session, raw: bytes, type });
  }

  const events = (c: Client, id: string): OrderEvent[] => readOrder(c.doc, id)?.order.history ?? [];
  const photoRows = (orderId: string) =>
    db.all<{ id: string; attached_at: number | null }>('SELECT id, attached_at FROM crew_photos WHERE order_id = ?', [
      orderId,
    ]);

  beforeAll(async () => {
    twins = await startTwins({ logLevel: 'info' });
    lead = connectClient(twins.fuzhou, 'region/fuzhou', await login(twins.fuzhou, 'lead.fz'));
    leadXm = connectClient(twins.xiamen, 'region/fuzhou', await login(twins.xiamen, 'lead.xm'));
    await Promise.all([lead.synced(), leadXm.synced()]);
    // The station's roster has CREW with the test's members (in place of the demo's, if the centre seeded those).
    rosterCrew(lead.doc);
    dispatcherToken = await login(twins.fuzhou, 'disp.fuzhou-gulou');
    leadToken = await login(twins.fuzhou, 'lead.fz');
    db = await openDatabase(join(twins.fuzhou.dataDir, 'centre.sqlite'), { integrityCheck: 'none' });
  }, 90_000);

  afterAll(async () => {
    await db?.close();
    lead?.destroy();
    leadXm?.destroy();
    await Promise.all([twins?.fuzhou.stop(), twins?.xiamen.stop()]);
  });

  let firstPhoto: Buffer;
  let firstOrder: string;

  it('a crew opens its link, accepts, arrives with a photo, handles and replies; both centres keep the evidence', async () => {
    const id = await assignedOrder();
    firstOrder = id;
    const link = await linkFor(id);
    expect(link.body.url).toMatch(new RegExp(`^${twins.fuzhou.http}/crew/#[A-Za-z0-9_-]{43}$`));
    expect(Date.parse(link.body.expiresAt) - Date.now()).toBeGreaterThan(11 * 3600_000);
    const { session } = await call<SessionResponse>('/api/crew/session', {
      body: { link: link.body.url.split('#')[1] },
    }).then((r) => r.body);

    const job = await call<Job>('/api/crew/job', { token: session });
    expect(job.status).toBe(200);
    expect(job.body).toMatchObject({
      orderId: id,
      crewId: CREW,
      state: 'assigned',
      next: 'accept',
      callerNumber: '13905910000',
      callerName: '王先生',
      description: '家中停电，邻居也停了',
      place: { lat: PLACE.lat, lng: PLACE.lng, source: 'county' },
    });
    expect(job.body.notes.map((x) => x.text)).toContain('带上备用熔断器');
    expect(job.body.deadlines.map((d) => d.kind)).toContain('on_site');

    expect((await call<StepResponse>('/api/crew/accept', { token: session, body: {} })).status).toBe(200);

    firstPhoto = uniqueJpeg('flow', { takenAt: new Date(), lat: PLACE.lat + 0.001, lng: PLACE.lng });
    const up = await photo(session, firstPhoto);
    expect(up.status).toBe(200);
    expect(up.body).toMatchObject({ bytes: firstPhoto.length, lat: PLACE.lat + 0.001, lng: PLACE.lng });
    expect(up.body.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(Math.abs(Date.parse(up.body.takenAt!) - Date.now())).toBeLessThan(5000);

    const arrive = await call<StepResponse>('/api/crew/arrive', {
      token: session,
      body: { deviceAt: new Date().toISOString(), offline: false, location: north(150), photoIds: [up.body.id] },
    });
    expect(arrive.status).toBe(200);
    expect(arrive.body.state).toBe('on_site');
    expect(arrive.body.evidence.flags).toEqual([]);
    expect(arrive.body.evidence.distanceM).toBeGreaterThan(140);
    expect(arrive.body.evidence.distanceM).toBeLessThan(160);

    const result = await photo(session, uniqueJpeg('result', { takenAt: new Date() }));
    const handle = await call<StepResponse>('/api/crew/handle', {
      token: session,
      body: { note: '更换熔断器，已恢复供电', photoIds: [result.body.id], location: north(80) },
    });
    expect(handle.status).toBe(200);
    expect(handle.body.state).toBe('handled');
    const reply = await call<StepResponse>('/api/crew/reply', { token: session, body: { note: '已恢复供电' } });
    expect(reply.status).toBe(200);
    expect(reply.body.state).toBe('replied');
    expect((await call<Job>('/api/crew/job', { token: session })).body.next).toBeNull();

    // Both centres: the crew is the actor of its four steps, with the evidence the centre computed.
    for (const c of [lead, leadXm]) {
      await eventually(() => readOrder(c.doc, id)?.order.state === 'replied', `replied at ${c === lead ? 'fz' : 'xm'}`);
      const crewSteps = events(c, id).filter((e) => e.by.role === 'crew');
      expect(crewSteps.map((e) => e.action)).toEqual(['accept', 'arrive', 'handle', 'reply']);
      for (const e of crewSteps)
        expect(e.by).toEqual({ userId: CREW, role: 'crew', centre: 'fuzhou', stationId: STATION });
      const evidence = crewSteps[1]!.evidence as Evidence;
      expect(evidence.photos).toEqual([
        {
          id: up.body.id,
          sha256: up.body.sha256,
          bytes: firstPhoto.length,
          takenAt: up.body.takenAt,
          lat: up.body.lat,
          lng: up.body.lng,
        },
      ]);
      expect(evidence.location).toEqual(north(150));
      expect(Date.parse(evidence.serverAt)).toBe(Date.parse(crewSteps[1]!.at));
      expect(crewSteps[2]!.note).toBe('更换熔断器，已恢复供电');
    }
    expect((await photoRows(id)).every((r) => r.attached_at !== null)).toBe(true);

    // The staff see the photo itself; a crew session does not open the staff's route.
    const res = await fetch(`${twins.fuzhou.http}/api/crew/photos/${up.body.id}`, {
      headers: { authorization: `Bearer ${leadToken}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await res.arrayBuffer()).equals(firstPhoto)).toBe(true);
    expect((await call(`/api/crew/photos/${up.body.id}`, { token: session })).status).toBe(401);
  });

  it('a link works once; an unknown one is not found; only the station or a lead sends links', async () => {
    const id = await assignedOrder();
    const { link } = await sessionFor(id);
    const again = await call('/api/crew/session', { body: { link } });
    expect(again.status).toBe(410);
    expect(again.body.error).toMatch(/already opened/);
    const unknown = await call('/api/crew/session', { body: { link: 'A'.repeat(43) } });
    expect(unknown.status).toBe(404);
    expect((await call('/api/crew/session', { body: { link: 'short' } })).status).toBe(400);

    const agent = await call('/api/crew/links', {
      token: await login(twins.fuzhou, 'agent1.fz'),
      body: { doc: 'region/fuzhou', orderId: id },
    });
    expect(agent.status).toBe(403);
    const otherStation = await call('/api/crew/links', {
      token: await login(twins.fuzhou, 'disp.fuzhou-taijiang'),
      body: { doc: 'region/fuzhou', orderId: id },
    });
    expect(otherStation.status).toBe(403);
    expect((await call('/api/crew/links', { body: { doc: 'region/fuzhou', orderId: id } })).status).toBe(401);
  });

  it('an expired link and an expired session are refused clearly', async () => {
    const id = await assignedOrder();
    const { session } = await sessionFor(id);
    const fresh = await linkFor(id);
    await db.run('UPDATE crew_links SET expires_at = ? WHERE order_id = ?', [Date.now() - 1000, id]);
    const expired = await call('/api/crew/session', { body: { link: fresh.body.url.split('#')[1] } });
    expect(expired.status).toBe(410);
    expect(expired.body.error).toMatch(/expired/);
    const job = await call('/api/crew/job', { token: session });
    expect(job.status).toBe(410);
    expect(job.body.error).toMatch(/expired/);
    const accept = await call('/api/crew/accept', { token: session, body: {} });
    expect(accept.status).toBe(410);
    expect(events(lead, id).some((e) => e.by.role === 'crew')).toBe(false);
  });

  it('a reassigned order voids the old link and session: another crew, or a new assignment', async () => {
    const id = await assignedOrder();
    const { session } = await sessionFor(id);
    const spare = await call<LinkResponse>('/api/crew/links', {
      token: dispatcherToken,
      body: { doc: 'region/fuzhou', orderId: id },
    });
    const up = await photo(session, uniqueJpeg('reassigned'));
    act(lead.doc, id, { action: 'assign', crewId: OTHER_CREW }, LEAD);
    await eventually(async () => (await call('/api/crew/job', { token: session })).status === 409, 'old session void');
    const job = await call('/api/crew/job', { token: session });
    expect(job.body.error).toMatch(new RegExp(`no longer assigned to crew ${CREW}`));
    const arrive = await call('/api/crew/arrive', {
      token: session,
      body: { deviceAt: new Date().toISOString(), offline: false, location: north(10), photoIds: [up.body.id] },
    });
    expect(arrive.status).toBe(409);
    const old = await call('/api/crew/session', { body: { link: spare.body.url.split('#')[1] } });
    expect(old.status).toBe(409);
    expect(events(lead, id).some((e) => e.by.role === 'crew')).toBe(false);
    expect((await photoRows(id)).map((r) => r.attached_at)).toEqual([null]);

    // The new crew's link works; assigning it again (a new assign event) voids that one too.
    const second = await sessionFor(id);
    expect((await call('/api/crew/accept', { token: second.session, body: {} })).status).toBe(200);
    act(lead.doc, id, { action: 'assign', crewId: OTHER_CREW, note: '改派同一班组' }, LEAD);
    await eventually(
      async () => (await call('/api/crew/job', { token: second.session })).status === 409,
      'session of the earlier assignment void',
    );
    expect((await call('/api/crew/job', { token: second.session })).body.error).toMatch(/assigned again/);
  });

  it('bad input is refused with nothing stored: oversized, not an image, a forged location, a wrong step', async () => {
    const id = await assignedOrder();
    const { session } = await sessionFor(id);
    const huge = Buffer.concat([PLAIN_JPEG, Buffer.alloc(5 * 1024 * 1024)]);
    const big = await photo(session, huge);
    expect(big.status).toBe(413);
    expect(big.body.error).toMatch(/larger than 5 MB/);
    // Far too large: refused without reading it all (the connection closes after the answer).
    const giant = await photo(session, Buffer.concat([PLAIN_JPEG, Buffer.alloc(30 * 1024 * 1024)])).catch(
      (error: Error) => ({ status: 0, body: { error: error.message } }),
    );
    // The client may still be sending when the answer comes and the socket closes: a 413, or the upload cut short.
    if (giant.status !== 413) expect(giant.body.error).toMatch(/fetch failed|socket|ECONNRESET|EPIPE|closed/i);
    const text = await photo(session, Buffer.from('just some text, not a photo'));
    expect(text.status).toBe(415);
    expect(text.body.error).toMatch(/not a JPEG, PNG or WebP image/);
    const pdf = await photo(session, Buffer.from('%PDF-1.4'), 'application/pdf');
    expect(pdf.status).toBe(415);
    expect(await photoRows(id)).toEqual([]);

    const png = await photo(session, PLAIN_PNG, 'image/png');
    expect(png.status).toBe(200);
    const forged = await call('/api/crew/arrive', {
      token: session,
      body: {
        deviceAt: new Date().toISOString(),
        offline: false,
        location: { lat: 123, lng: 119.3, accuracyM: 5 },
        photoIds: [png.body.id],
      },
    });
    expect(forged.status).toBe(400);
    expect(forged.body.error).toMatch(/^location\.lat: /);
    const noPhoto = await call('/api/crew/arrive', {
      token: session,
      body: { deviceAt: new Date().toISOString(), offline: false, location: north(10), photoIds: [] },
    });
    expect(noPhoto.status).toBe(400);
    expect(noPhoto.body.error).toMatch(/photoIds: arrival needs at least one photo/);
    const unknownPhoto = await call('/api/crew/arrive', {
      token: session,
      body: { deviceAt: new Date().toISOString(), offline: false, photoIds: ['ph-nope'] },
    });
    expect(unknownPhoto.status).toBe(400);
    // A step the order is not ready for: the work-order rule says why; its photo stays unattached.
    const early = await call('/api/crew/handle', { token: session, body: { note: '已处理', photoIds: [png.body.id] } });
    expect(early.status).toBe(409);
    expect(early.body.error).toMatch(/handle/);
    expect(events(lead, id).some((e) => e.by.role === 'crew')).toBe(false);
    expect((await photoRows(id)).map((r) => r.attached_at)).toEqual([null]);
    const noSession = await call('/api/crew/job', { token: 'B'.repeat(43) });
    expect(noSession.status).toBe(401);
  });

  it("the job lists the crew's members from the roster; each report keeps who was on the job, at both centres", async () => {
    const [lin, chen, huang] = CREW_MEMBERS.map((m) => m.id) as [string, string, string];
    const id = await assignedOrder();
    const { session } = await sessionFor(id);
    const job = await call<Job>('/api/crew/job', { token: session });
    expect(job.body.crewName).toBe('抢修一班');
    // Names and who is on duty, for the crew to tick; not the members' phone numbers.
    expect(job.body.members).toEqual([
      { id: lin, name: '林志强', onDuty: true },
      { id: chen, name: '陈建华', onDuty: true },
      { id: huang, name: '黄美玲', onDuty: false },
    ]);

    const accept = await call<StepResponse>('/api/crew/accept', { token: session, body: { members: [lin, chen] } });
    expect(accept.status).toBe(200);
    expect(accept.body.evidence.members).toEqual([lin, chen]);
    const up = await photo(session, uniqueJpeg('members', { takenAt: new Date() }));
    const arrive = await call<StepResponse>('/api/crew/arrive', {
      token: session,
      body: {
        deviceAt: new Date().toISOString(),
        offline: false,
        location: north(30),
        photoIds: [up.body.id],
        members: [lin, chen],
      },
    });
    expect(arrive.status).toBe(200);
    // 陈 leaves; 黄, off duty in the roster, comes to help: the crew says so, and it is kept as said.
    const handle = await call<StepResponse>('/api/crew/handle', {
      token: session,
      body: { note: '更换熔断器', location: north(30), members: [lin, huang] },
    });
    expect(handle.status).toBe(200);
    // A report without members (a page that does not say) is taken, naming nobody.
    const reply = await call<StepResponse>('/api/crew/reply', { token: session, body: { note: '已恢复供电' } });
    expect(reply.status).toBe(200);
    expect(reply.body.evidence).not.toHaveProperty('members');

    for (const c of [lead, leadXm]) {
      await eventually(() => readOrder(c.doc, id)?.order.state === 'replied', `replied at ${c === lead ? 'fz' : 'xm'}`);
      expect(
        events(c, id)
          .filter((e) => e.by.role === 'crew')
          .map((e) => [e.action, e.evidence?.members]),
      ).toEqual([
        ['accept', [lin, chen]],
        ['arrive', [lin, chen]],
        ['handle', [lin, huang]],
        ['reply', undefined],
      ]);
    }
    const steps = (await call<Job>('/api/crew/job', { token: session })).body.steps;
    expect(steps.map((x) => x.evidence?.members)).toEqual([[lin, chen], [lin, chen], [lin, huang], undefined]);
  });

  it('members the roster does not have are kept as sent and flagged; malformed lists are refused, nothing stored', async () => {
    const [lin, chen] = CREW_MEMBERS.map((m) => m.id) as [string, string];
    const id = await assignedOrder();
    const { session } = await sessionFor(id);
    const accept = await call<StepResponse>('/api/crew/accept', { token: session, body: { members: [lin, 'nobody'] } });
    expect(accept.status).toBe(200);
    expect(accept.body.evidence.members).toEqual([lin, 'nobody']);
    expect(accept.body.evidence.flags).toEqual([
      { code: 'member_unknown', detail: "nobody 不在班组名单中 / nobody is not in the crew's roster" },
    ]);

    const up = await photo(session, uniqueJpeg('members-refused', { takenAt: new Date() }));
    const arrive = (members: unknown) =>
      call<StepResponse>('/api/crew/arrive', {
        token: session,
        body: {
          deviceAt: new Date().toISOString(),
          offline: false,
          location: north(20),
          photoIds: [up.body.id],
          members,
        },
      });
    const twice = await arrive([chen, chen]);
    expect(twice.status).toBe(400);
    expect(twice.body.error).toBe(`members.1: ${chen} 重复 / ${chen} is named twice`);
    const none = await arrive([]);
    expect(none.status).toBe(400);
    expect(none.body.error).toMatch(/^members: name at least one member/);
    const notIds = await arrive([lin, '林 志强', '']);
    expect(notIds.status).toBe(400);
    expect(notIds.body.error).toMatch(/^members\.1: a member id: .*; members\.2: a member id/);
    expect((await arrive([lin, 7])).body.error).toMatch(/^members\.1: /);
    const tooMany = await arrive(Array.from({ length: 31 }, (_, i) => `${CREW}-m${i + 1}`));
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error).toBe('members: at most 30 members');
    expect(
      events(lead, id)
        .filter((e) => e.by.role === 'crew')
        .map((e) => e.action),
    ).toEqual(['accept']);
    expect((await photoRows(id)).map((r) => r.attached_at)).toEqual([null]);

    // A member of the station's other crew is not of this crew's roster: kept, and flagged by id.
    const ok = await arrive([lin, `${OTHER_CREW}-m1`]);
    expect(ok.status).toBe(200);
    expect(ok.body.evidence.members).toEqual([lin, `${OTHER_CREW}-m1`]);
    expect(ok.body.evidence.flags.map((f) => f.code)).toEqual(['member_unknown']);
    expect(ok.body.evidence.flags[0]!.detail).toMatch(new RegExp(`/ ${OTHER_CREW}-m1 is not in the crew's roster$`));
    expect((await photoRows(id)).every((r) => r.attached_at !== null)).toBe(true);
  });

  it('an offline report naming a member removed from the roster since is stored, flagged, at both centres', async () => {
    // A crew of its own for this test, so the shared roster stays as the other tests expect it.
    const crew = `${STATION}-c8`;
    const [zhou, wu] = [`${crew}-m1`, `${crew}-m2`];
    const put = (members: { id: string; name: string; phone: string; onDuty: boolean }[]) =>
      putCrew(
        lead.doc,
        {
          id: crew,
          stationId: STATION,
          name: '抢修八班',
          kind: 'repair',
          skills: ['line'],
          area: { counties: ['gulou'], streets: [] },
          onDuty: true,
          members,
        },
        LEAD,
      );
    const zhouM = { id: zhou, name: '周海', phone: '13905918001', onDuty: true };
    put([zhouM, { id: wu, name: '吴磊', phone: '13905918002', onDuty: true }]);
    const id = await assignedOrder({ crew, assignAt: minutesAgo(60) });
    const { session } = await sessionFor(id);
    const memberIds = async () =>
      (await call<Job>('/api/crew/job', { token: session })).body.members.map((m) => m.id).join(' ');
    await eventually(async () => (await memberIds()) === `${zhou} ${wu}`, 'the crew with both members at the centre');

    // Twenty minutes ago, without signal, the page kept this arrival in its outbox: 周 and 吴 on the job.
    const recorded = minutesAgo(20);
    const outbox = { deviceAt: recorded.toISOString(), offline: true, location: north(30), members: [zhou, wu] };
    // Meanwhile the lead takes 吴 off the crew's roster.
    put([zhouM]);
    await eventually(async () => (await memberIds()) === zhou, 'the roster without 吴 at the centre');

    // The phone has signal again and sends what it kept (its photo first).
    const up = await photo(session, uniqueJpeg('left-since', { takenAt: recorded, lat: PLACE.lat, lng: PLACE.lng }));
    const arrive = await call<StepResponse>('/api/crew/arrive', {
      token: session,
      body: { ...outbox, photoIds: [up.body.id] },
    });
    expect(arrive.status).toBe(200);
    expect(arrive.body.state).toBe('on_site');
    expect(arrive.body.evidence).toMatchObject({
      offline: true,
      deviceAt: recorded.toISOString(),
      members: [zhou, wu],
    });
    expect(arrive.body.evidence.flags).toEqual([
      { code: 'member_unknown', detail: `${wu} 不在班组名单中 / ${wu} is not in the crew's roster` },
    ]);
    for (const c of [lead, leadXm]) {
      await eventually(() => readOrder(c.doc, id)?.order.state === 'on_site', `on site at ${c === lead ? 'fz' : 'xm'}`);
      const stored = events(c, id).find((e) => e.action === 'arrive')!.evidence!;
      expect(stored.members).toEqual([zhou, wu]);
      expect(stored.flags.map((f) => f.code)).toEqual(['member_unknown']);
    }
    expect((await photoRows(id)).every((r) => r.attached_at !== null)).toBe(true);
  });

  it('a crew the roster does not know has no members to choose; members it names anyway are kept, flagged', async () => {
    const id = await assignedOrder({ crew: UNKNOWN_CREW });
    const { session } = await sessionFor(id);
    const job = await call<Job>('/api/crew/job', { token: session });
    expect(job.body.members).toEqual([]);
    const named = await call<StepResponse>('/api/crew/accept', {
      token: session,
      body: { members: [CREW_MEMBERS[0]!.id] },
    });
    expect(named.status).toBe(200);
    expect(named.body.evidence.members).toEqual([CREW_MEMBERS[0]!.id]);
    expect(named.body.evidence.flags.map((f) => f.code)).toEqual(['member_unknown']);
  });

  it('an arrival 5 km from the address is flagged too far, with the distance', async () => {
    const id = await assignedOrder();
    const { session } = await sessionFor(id);
    const up = await photo(session, uniqueJpeg('far', { takenAt: new Date() }));
    const arrive = await call<StepResponse>('/api/crew/arrive', {
      token: session,
      body: { deviceAt: new Date().toISOString(), offline: false, location: north(5000), photoIds: [up.body.id] },
    });
    expect(arrive.status).toBe(200);
    expect(arrive.body.evidence.distanceM).toBeGreaterThan(4990);
    expect(arrive.body.evidence.distanceM).toBeLessThan(5010);
    expect(arrive.body.evidence.flags).toEqual([
      { code: 'too_far', detail: '位置距工单地址 5.0 公里 / 5.0 km from the address' },
    ]);
    await eventually(
      () => events(leadXm, id).find((e) => e.action === 'arrive')?.evidence?.flags[0]?.code === 'too_far',
      'the flag at the twin',
    );
  });

  it('a reused photo, an old or distant photo and one without metadata are flagged; no location is said', async () => {
    const id = await assignedOrder();
    const { session } = await sessionFor(id);
    const reused = await photo(session, firstPhoto);
    const old = await photo(session, uniqueJpeg('old', { takenAt: minutesAgo(180) }));
    const far = await photo(session, uniqueJpeg('gps-far', { lat: PLACE.lat + 0.1, lng: PLACE.lng }));
    const bare = await photo(session, uniqueJpeg('bare'));
    const arrive = await call<StepResponse>('/api/crew/arrive', {
      token: session,
      body: {
        deviceAt: new Date().toISOString(),
        offline: false,
        photoIds: [reused.body.id, old.body.id, far.body.id, bare.body.id],
      },
    });
    expect(arrive.status).toBe(200);
    const flags = arrive.body.evidence.flags;
    expect(flags.map((f) => f.code).sort()).toEqual(
      ['no_location', 'photo_far', 'photo_no_metadata', 'photo_old', 'photo_reused'].sort(),
    );
    expect(flags.find((f) => f.code === 'photo_reused')!.detail).toContain(firstOrder);
    expect(flags.find((f) => f.code === 'photo_old')!.detail).toMatch(/photo 2 was taken 3\.0 h before/);
    expect(flags.find((f) => f.code === 'photo_far')!.detail).toMatch(/photo 3 was taken 11\.\d km from/);
    expect(flags.find((f) => f.code === 'photo_no_metadata')!.detail).toMatch(/photo 4/);
  });

  it('an offline arrival is kept and checked when it comes: late, too early, a clock ahead', async () => {
    // Assigned two hours ago; the crew arrived 40 minutes ago without signal and the record comes in now.
    const id = await assignedOrder({ assignAt: minutesAgo(120) });
    const { session } = await sessionFor(id);
    const up = await photo(session, uniqueJpeg('offline', { takenAt: minutesAgo(41), lat: PLACE.lat, lng: PLACE.lng }));
    const deviceAt = minutesAgo(40).toISOString();
    const arrive = await call<StepResponse>('/api/crew/arrive', {
      token: session,
      body: { deviceAt, offline: true, location: north(30), photoIds: [up.body.id] },
    });
    expect(arrive.status).toBe(200);
    expect(arrive.body.evidence).toMatchObject({ offline: true, deviceAt: new Date(deviceAt).toISOString() });
    expect(arrive.body.evidence.flags.map((f) => f.code)).toEqual(['offline_late']);
    expect(arrive.body.evidence.flags[0]!.detail).toMatch(/reached the centre 40 min later/);
    // The step's time is the centre's: the SLA counts when the record arrived.
    expect(Math.abs(Date.parse(arrive.body.event.at) - Date.now())).toBeLessThan(5000);

    // Before the assignment, and a phone clock ten minutes ahead.
    const early = await assignedOrder();
    const s2 = await sessionFor(early);
    const p2 = await photo(s2.session, uniqueJpeg('early', { takenAt: new Date() }));
    const tooEarly = await call<StepResponse>('/api/crew/arrive', {
      token: s2.session,
      body: { deviceAt: minutesAgo(5).toISOString(), offline: true, location: north(10), photoIds: [p2.body.id] },
    });
    expect(tooEarly.body.evidence.flags.map((f) => f.code)).toEqual(['too_early']);
    const ahead = await call<StepResponse>('/api/crew/handle', {
      token: s2.session,
      body: { deviceAt: new Date(Date.now() + 10 * 60_000).toISOString(), note: '已处理', location: north(10) },
    });
    expect(ahead.status).toBe(200);
    expect(ahead.body.evidence.flags.map((f) => f.code)).toEqual(['clock_skew']);
  });
});
