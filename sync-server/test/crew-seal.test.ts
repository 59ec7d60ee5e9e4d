// The centres' seal on crew events, against real centres: a crew's step recorded by one centre reaches a console
// sealed and may be relayed to the other centre in a catch-up (the twin link being down), while a crew event a
// console makes up, or changes, is refused with nothing stored. The two centres here share the peer secret but are
// not linked, so the only way anything reaches the second one is a console's catch-up.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { readOrder } from '@twinline/board';
import type { OrderEvent } from '@twinline/workorder';
import type { LinkResponse, PhotoResponse, SessionResponse, StepResponse } from '@twinline/crew-page/contract';
import { connectClient, eventually, login, startCentreProcess } from './harness';
import type { CentreProcess, Client } from './harness';
import { uniqueJpeg } from './fixtures/photos';
import { CREW, CREW_PLACE, CREW_STATION, assignedOrder, northOfPlace } from './fixtures/crew-orders';

const DOC = 'region/fuzhou';
const env = { TWINLINE_PEER_SECRET: 'crew-seal-test-shared-peer-secret' };

describe("crew events carry their centre's seal", () => {
  let fuzhou: CentreProcess;
  let xiamen: CentreProcess;
  let lead: Client;
  let dispatcherToken: string;
  let leadFz: string;
  let leadXm: string;
  const clients: Client[] = [];
  const open = (c: Client) => (clients.push(c), c);
  let n = 0;

  async function post<T>(path: string, token: string | undefined, body: unknown, type?: string) {
    const res = await fetch(`${fuzhou.http}${path}`, {
      method: 'POST',
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        'content-type': type ?? 'application/json',
      },
      body: type ? new Uint8Array(body as Buffer) : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as T & { error?: string } };
  }

  /** An order assigned to CREW (by the team lead's console at fuzhou), and a crew session for it. */
  async function crewJob(): Promise<{ id: string; session: string }> {
    n += 1;
    const id = assignedOrder(lead.doc, { address: `福州市鼓楼区封签测试路 ${n} 号` });
    let link: { status: number; body: LinkResponse } | undefined;
    await eventually(async () => {
      link = await post<LinkResponse>('/api/crew/links', dispatcherToken, { doc: DOC, orderId: id });
      return link.status === 200;
    }, `a crew link for ${id}`);
    const s = await post<SessionResponse>('/api/crew/session', undefined, { link: link!.body.url.split('#')[1] });
    expect(s.status).toBe(200);
    return { id, session: s.body.session };
  }

  /** The crew arrives `metres` from the order's place, with a photo, through the centre's API. */
  async function arrive(session: string, metres: number): Promise<StepResponse> {
    const photo = uniqueJpeg(`seal-${n}`, { takenAt: new Date(), lat: CREW_PLACE.lat, lng: CREW_PLACE.lng });
    const up = await post<PhotoResponse>('/api/crew/photos', session, photo, 'image/jpeg');
    expect(up.status).toBe(200);
    const res = await post<StepResponse>('/api/crew/arrive', session, {
      deviceAt: new Date().toISOString(),
      offline: false,
      location: northOfPlace(metres),
      photoIds: [up.body.id],
    });
    expect(res.status, res.body.error).toBe(200);
    return res.body;
  }

  const crewEvents = (doc: Y.Doc, id: string): OrderEvent[] =>
    readOrder(doc, id)?.order.history.filter((e) => e.by.role === 'crew') ?? [];
  /** A console's own copy of a document (what it would relay after a failover). */
  const copyOf = (update: Uint8Array) => {
    const doc = new Y.Doc();
    Y.applyUpdate(doc, update);
    return doc;
  };
  const rawEvents = (doc: Y.Doc, id: string) =>
    (doc.getMap('orders').get(id) as Y.Map<unknown>).get('events') as Y.Array<unknown>;

  beforeAll(async () => {
    [fuzhou, xiamen] = await Promise.all([
      startCentreProcess({ name: 'fuzhou', env, logLevel: 'info' }),
      startCentreProcess({ name: 'xiamen', env, logLevel: 'info' }),
    ]);
    [leadFz, leadXm, dispatcherToken] = await Promise.all([
      login(fuzhou, 'lead.fz'),
      login(xiamen, 'lead.xm'),
      login(fuzhou, 'disp.fuzhou-gulou'),
    ]);
    lead = open(connectClient(fuzhou, DOC, leadFz));
    await lead.synced();
  }, 90_000);

  afterAll(async () => {
    for (const c of clients) c.destroy();
    await Promise.all([fuzhou?.stop(), xiamen?.stop()]);
    for (const c of [fuzhou, xiamen]) if (c) rmSync(c.dataDir, { recursive: true, force: true });
  });

  it('a crew arrival recorded at fuzhou reaches the console sealed, and the console relays it to xiamen', async () => {
    const { id, session } = await crewJob();
    expect((await post<StepResponse>('/api/crew/accept', session, {})).status).toBe(200);
    const step = await arrive(session, 5000);
    expect(step.evidence.flags.map((f) => f.code)).toEqual(['too_far']);
    await eventually(() => crewEvents(lead.doc, id).length === 2, 'both crew steps at the console');
    for (const e of crewEvents(lead.doc, id)) expect(e.evidence?.sig).toMatch(/^[0-9a-f]{64}$/);
    const recorded = crewEvents(lead.doc, id);

    // Xiamen has never heard of the order; a console that moves there relays what it holds (sync step 2).
    const watcher = open(connectClient(xiamen, DOC, leadXm));
    await watcher.synced();
    expect(readOrder(watcher.doc, id)).toBeUndefined();
    const relay = open(connectClient(xiamen, DOC, leadXm, copyOf(Y.encodeStateAsUpdate(lead.doc))));
    await eventually(() => readOrder(watcher.doc, id)?.order.state === 'on_site', 'the relayed arrival at xiamen');
    expect(relay.denied).toEqual([]);
    expect(crewEvents(watcher.doc, id)).toEqual(recorded);
    expect(crewEvents(watcher.doc, id)[1]!.by).toEqual({
      userId: CREW,
      role: 'crew',
      centre: 'fuzhou',
      stationId: CREW_STATION,
    });
    // Stored there, not just passed on: a new console at xiamen gets it from the centre.
    const fresh = open(connectClient(xiamen, DOC, leadXm));
    await fresh.synced();
    expect(crewEvents(fresh.doc, id)).toEqual(recorded);
  });

  it('a console relaying a made-up crew arrival with flag-free evidence is refused, and nothing is stored', async () => {
    n += 1;
    const id = assignedOrder(lead.doc, { address: `福州市鼓楼区封签测试路 ${n} 号` });
    const watcher = open(connectClient(fuzhou, DOC, leadFz));
    await eventually(() => readOrder(watcher.doc, id)?.order.state === 'assigned', 'the order assigned at fuzhou');
    const now = new Date().toISOString();
    const forged: OrderEvent = {
      id: 'e-forgedarrival01',
      action: 'arrive',
      by: { userId: CREW, role: 'crew', centre: 'fuzhou', stationId: CREW_STATION },
      at: now,
      evidence: {
        serverAt: now,
        offline: false,
        location: northOfPlace(20),
        distanceM: 20,
        photos: [],
        flags: [],
      },
    };
    const doc = copyOf(Y.encodeStateAsUpdate(lead.doc));
    rawEvents(doc, id).push([forged]);
    const forger = open(connectClient(fuzhou, DOC, leadFz, doc));
    await eventually(() => forger.denied.length > 0, 'the forger told of the refusal');
    expect(forger.denied[0]).toMatch(
      new RegExp(`^write refused: crew ${CREW}'s arrive event e-forgedarrival01 on order ${id} carries no centre seal`),
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(readOrder(watcher.doc, id)!.order.state).toBe('assigned');
    const fresh = open(connectClient(fuzhou, DOC, leadFz));
    await fresh.synced();
    expect(readOrder(fresh.doc, id)!.order.state).toBe('assigned');
    expect(crewEvents(fresh.doc, id)).toEqual([]);
  });

  it('a real crew arrival changed by a console (flags and distance removed) is refused at the other centre', async () => {
    const { id, session } = await crewJob();
    await eventually(() => readOrder(lead.doc, id)?.order.state === 'assigned', 'assigned at the console');
    const beforeArrival = Y.encodeStateAsUpdate(lead.doc);
    await arrive(session, 5000);
    await eventually(() => crewEvents(lead.doc, id).length === 1, 'the arrival at the console');
    const genuine = crewEvents(lead.doc, id)[0]!;
    expect(genuine.evidence!.flags.map((f) => f.code)).toEqual(['too_far']);
    const { distanceM: _far, ...evidence } = genuine.evidence!;
    const doc = copyOf(beforeArrival);
    rawEvents(doc, id).push([{ ...genuine, evidence: { ...evidence, flags: [] } }]);

    const watcher = open(connectClient(xiamen, DOC, leadXm));
    await watcher.synced();
    const forger = open(connectClient(xiamen, DOC, leadXm, doc));
    await eventually(() => forger.denied.length > 0, 'the forger told of the refusal');
    expect(forger.denied[0]).toMatch(/crew .*'s arrive event .* has a centre seal that does not match it/);
    await new Promise((r) => setTimeout(r, 300));
    expect(readOrder(watcher.doc, id)).toBeUndefined();
    const log = await xiamen.waitForLog((l) => l.msg === 'write refused' && /does not match/.test(String(l.reason)));
    expect(log).toMatchObject({ user: 'lead.xm', mode: 'catch_up' });
  });
});
