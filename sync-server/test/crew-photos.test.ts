// Crew photos at both twin centres (sync-server/src/crews/replication.ts), with real centre processes: a photo a crew
// sends with its arrival at Fuzhou is served by Xiamen too (same access rule), still after Fuzhou is killed; one sent
// while Xiamen is down is copied when it is back; a restart looks for what it still lacks; while Fuzhou cannot be
// reached Xiamen keeps trying; a copy whose bytes are not what the evidence says is refused; the peer-only route
// answers the twin's secret only.
//
// Xiamen reaches Fuzhou (replication link and photo copies) through a TCP proxy the test can cut, while Fuzhou's own
// link to Xiamen stays up: the board still brings the arrival to Xiamen, but Xiamen cannot fetch its photo.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '@twinline/sql';
import type { SqlDriver } from '@twinline/sql';
import type { LinkResponse, PhotoResponse, SessionResponse, StepResponse } from '@twinline/crew-page/contract';
import { DEMO_PEER_SECRET } from '../src/config';
import { PEER_PHOTO_HEADER, PeerPhotoSchema } from '../src/crews/replication';
import { connectClient, eventually, freePort, login, startCentreProcess, tcpProxy } from './harness';
import type { CentreProcess, Client } from './harness';
import { uniqueJpeg } from './fixtures/photos';
import { CREW_PLACE, assignedOrder, northOfPlace } from './fixtures/crew-orders';

describe('crew photos at both twin centres', () => {
  let fuzhou: CentreProcess;
  let xiamen: CentreProcess;
  let proxy: Awaited<ReturnType<typeof tcpProxy>>;
  let ports: { fuzhou: number; xiamen: number };
  let lead: Client;
  let dispatcher: string;
  let leadXm: string;
  let db: SqlDriver;
  let n = 0;

  const startXiamen = (dataDir?: string) =>
    startCentreProcess({ name: 'xiamen', port: ports.xiamen, peer: `ws://127.0.0.1:${proxy.port}`, dataDir });

  async function post<T>(path: string, body: unknown, token?: string, type?: string): Promise<T> {
    const res = await fetch(`${fuzhou.http}${path}`, {
      method: 'POST',
      headers: {
        'content-type': type ?? 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: Buffer.isBuffer(body) ? new Uint8Array(body) : JSON.stringify(body),
    });
    const answer = (await res.json()) as T & { error?: string };
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${answer.error}`);
    return answer;
  }

  /** A new order assigned to the crew, which arrives at Fuzhou with one new photo. */
  async function arrival(tag: string): Promise<{ orderId: string; photo: PhotoResponse; bytes: Buffer }> {
    n += 1;
    const orderId = assignedOrder(lead.doc, { address: `福州市鼓楼区照片复制路 ${n} 号` });
    let link: LinkResponse | undefined;
    await eventually(async () => {
      link = await post<LinkResponse>('/api/crew/links', { doc: 'region/fuzhou', orderId }, dispatcher).catch(
        () => undefined,
      );
      return link !== undefined;
    }, `a crew link for ${orderId}`);
    const { session } = await post<SessionResponse>('/api/crew/session', { link: link!.url.split('#')[1] });
    await post<StepResponse>('/api/crew/accept', {}, session);
    const bytes = uniqueJpeg(`${tag}-${n}`, { takenAt: new Date(), lat: CREW_PLACE.lat, lng: CREW_PLACE.lng });
    const photo = await post<PhotoResponse>('/api/crew/photos', bytes, session, 'image/jpeg');
    const step = await post<StepResponse>(
      '/api/crew/arrive',
      { deviceAt: new Date().toISOString(), offline: false, location: northOfPlace(100), photoIds: [photo.id] },
      session,
    );
    expect(step.evidence.photos.map((p) => p.id)).toEqual([photo.id]);
    return { orderId, photo, bytes };
  }

  const getPhoto = (centre: { http: string }, id: string, token?: string) =>
    fetch(`${centre.http}/api/crew/photos/${id}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  /** Xiamen serves the photo to its team lead, byte for byte (polled while the copy is on its way). */
  async function servedByXiamen(id: string, bytes: Buffer, timeoutMs = 15_000): Promise<void> {
    await eventually(async () => (await getPhoto(xiamen, id, leadXm)).status === 200, `Xiamen serves ${id}`, timeoutMs);
    const res = await getPhoto(xiamen, id, leadXm);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
  }

  /** Xiamen has tried to copy the photo and could not (Fuzhou unreachable). */
  const xiamenFailedToCopy = (id: string) =>
    xiamen.waitForLog((l) => l.msg === 'crew photo not copied from the twin yet' && l.photo === id);

  beforeAll(async () => {
    ports = { fuzhou: await freePort(), xiamen: await freePort() };
    proxy = await tcpProxy(ports.fuzhou);
    [fuzhou, xiamen] = await Promise.all([
      startCentreProcess({ name: 'fuzhou', port: ports.fuzhou, peer: `ws://127.0.0.1:${ports.xiamen}` }),
      startXiamen(),
    ]);
    lead = connectClient(fuzhou, 'region/fuzhou', await login(fuzhou, 'lead.fz'));
    await lead.synced();
    dispatcher = await login(fuzhou, 'disp.fuzhou-gulou');
    leadXm = await login(xiamen, 'lead.xm');
    db = await openDatabase(join(fuzhou.dataDir, 'centre.sqlite'), { integrityCheck: 'none' });
  }, 90_000);

  afterAll(async () => {
    await db?.close();
    lead?.destroy();
    await Promise.all([fuzhou?.stop(), xiamen?.stop()]);
    await proxy?.close();
    for (const c of [fuzhou, xiamen]) if (c) rmSync(c.dataDir, { recursive: true, force: true });
  });

  let first: Awaited<ReturnType<typeof arrival>>;

  it('a photo sent with an arrival at Fuzhou is served by Xiamen, to those who may read the order only', async () => {
    first = await arrival('first');
    await servedByXiamen(first.photo.id, first.bytes);
    await xiamen.waitForLog((l) => l.msg === 'crew photo copied from the twin' && l.photo === first.photo.id);
    // Same rule at both centres: a Xiamen station's dispatcher reads no Fuzhou order, nor its photos; no login, 401.
    const outsider = await login(xiamen, 'disp.xiamen-siming');
    for (const c of [fuzhou, xiamen]) expect((await getPhoto(c, first.photo.id, outsider)).status).toBe(404);
    expect((await getPhoto(xiamen, first.photo.id)).status).toBe(401);
  });

  it('the peer route answers the twin centre only: not a login token, not without credentials', async () => {
    const url = `${fuzhou.http}/api/peer/crew-photos/${first.photo.id}`;
    const asLead = await fetch(url, { headers: { authorization: `Bearer ${await login(fuzhou, 'lead.fz')}` } });
    expect(asLead.status).toBe(401);
    expect(asLead.headers.get(PEER_PHOTO_HEADER)).toBeNull();
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: `Bearer ${DEMO_PEER_SECRET}x` } })).status).toBe(401);

    const asTwin = await fetch(url, { headers: { authorization: `Bearer ${DEMO_PEER_SECRET}` } });
    expect(asTwin.status).toBe(200);
    const meta = PeerPhotoSchema.parse(JSON.parse(decodeURIComponent(asTwin.headers.get(PEER_PHOTO_HEADER)!)));
    expect(meta).toMatchObject({
      id: first.photo.id,
      doc: 'region/fuzhou',
      orderId: first.orderId,
      sha256: first.photo.sha256,
      bytes: first.bytes.length,
      mime: 'image/jpeg',
    });
    expect(Buffer.from(await asTwin.arrayBuffer()).equals(first.bytes)).toBe(true);
    const unknown = await fetch(`${fuzhou.http}/api/peer/crew-photos/ph-nothing`, {
      headers: { authorization: `Bearer ${DEMO_PEER_SECRET}` },
    });
    expect(unknown.status).toBe(404);
  });

  it('a photo sent while Xiamen is down is copied when Xiamen is back', async () => {
    await xiamen.stop();
    const late = await arrival('while-down');
    xiamen = await startXiamen(xiamen.dataDir);
    await servedByXiamen(late.photo.id, late.bytes);
  }, 60_000);

  it('a restart looks for the photos its board names and it lacks', async () => {
    proxy.cut();
    const missed = await arrival('missed');
    await xiamenFailedToCopy(missed.photo.id);
    // Xiamen stops before its next try and starts again: its board names the photo already (no catch-up brings the
    // step again), so only the look through its documents at start finds it.
    await xiamen.stop();
    proxy.heal();
    xiamen = await startXiamen(xiamen.dataDir);
    const looked = await xiamen.waitForLog((l) => l.msg === 'crew photos: the board looked through for photos to copy');
    expect(looked.missing).toBe(1);
    await servedByXiamen(missed.photo.id, missed.bytes);
  }, 60_000);

  it('while Fuzhou cannot be reached Xiamen keeps trying, and copies the photo once it can', async () => {
    proxy.cut();
    const retried = await arrival('retried');
    await xiamenFailedToCopy(retried.photo.id);
    expect((await getPhoto(xiamen, retried.photo.id, leadXm)).status).toBe(404);
    proxy.heal();
    await servedByXiamen(retried.photo.id, retried.bytes, 30_000); // at the next try, within the backoff
  }, 60_000);

  it('a copy whose bytes are not what the evidence says is refused and not stored', async () => {
    proxy.cut();
    const tampered = await arrival('tampered');
    await xiamenFailedToCopy(tampered.photo.id);
    // Fuzhou's stored bytes change after the step was recorded (one byte of the image data, same size).
    const data = Buffer.from(tampered.bytes);
    data.writeUInt8(data.readUInt8(data.length - 10) ^ 0xff, data.length - 10);
    await db.run('UPDATE crew_photos SET data = ? WHERE id = ?', [data, tampered.photo.id]);
    proxy.heal();
    const refused = await xiamen.waitForLog(
      (l) => l.msg === 'crew photo from the twin refused' && l.photo === tampered.photo.id,
      30_000,
    );
    expect(refused.why).toContain(tampered.photo.sha256);
    expect((await getPhoto(xiamen, tampered.photo.id, leadXm)).status).toBe(404);
    expect((await getPhoto(fuzhou, tampered.photo.id, await login(fuzhou, 'lead.fz'))).status).toBe(200);
  }, 60_000);

  it('with Fuzhou killed, Xiamen still serves the photos it copied', async () => {
    await fuzhou.stop('SIGKILL');
    await servedByXiamen(first.photo.id, first.bytes, 2000);
  });
});
