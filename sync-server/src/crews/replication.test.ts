// The pieces of crew-photo copies that need no twin (the whole is tested with real twin centres in
// sync-server/test/crew-photos.test.ts): finding the photos crew steps name in an update, and the store keeping
// copies through the sweep of unused photos.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { act, createOrder } from '@twinline/board';
import type { Actor, Evidence } from '@twinline/workorder';
import { openCentreStorage } from '../storage';
import type { CentreStorage } from '../storage';
import { crewPhotosIn } from './replication';

const LEAD: Actor = { userId: 'lead.fz', role: 'team_lead', centre: 'fuzhou' };
const STATION = 'st-fuzhou-gulou';
const CREW: Actor = { userId: `${STATION}-c1`, role: 'crew', centre: 'fuzhou', stationId: STATION };
const sha = (c: string) => c.repeat(64);
const evidence = (photos: Evidence['photos']): Evidence => ({
  serverAt: '2026-11-23T02:00:00.000Z',
  offline: false,
  photos,
  flags: [],
});

describe('crew photos named in an update', () => {
  it('finds the photos of crew steps, in a live update and in a whole document, and nothing else', () => {
    const doc = new Y.Doc();
    const id = createOrder(
      doc,
      {
        type: 'repair',
        channel: 'phone',
        priority: 'urgent',
        region: { city: 'fuzhou', county: 'gulou', areaClass: 'urban' },
        address: '福州市鼓楼区测试路 1 号',
        callerNumber: '13905910000',
        description: '家中停电',
      },
      LEAD,
    );
    act(doc, id, { action: 'dispatch', stationId: STATION }, LEAD);
    act(doc, id, { action: 'take' }, LEAD);
    act(doc, id, { action: 'assign', crewId: CREW.userId }, LEAD);
    act(doc, id, { action: 'accept', evidence: evidence([]) }, CREW);
    const before = Y.encodeStateAsUpdate(doc);
    expect(crewPhotosIn(before)).toEqual([]);

    const updates: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => updates.push(u));
    const photos = [
      { id: 'ph-a', sha256: sha('a'), bytes: 393, takenAt: '2026-11-23T09:58:00+08:00', lat: 26.08, lng: 119.3 },
      { id: 'ph-b', sha256: sha('b'), bytes: 1024 },
    ];
    act(doc, id, { action: 'arrive', evidence: evidence(photos) }, CREW);
    const refs = [
      { id: 'ph-a', sha256: sha('a'), bytes: 393 },
      { id: 'ph-b', sha256: sha('b'), bytes: 1024 },
    ];
    expect(updates).toHaveLength(1);
    expect(crewPhotosIn(updates[0]!)).toEqual(refs);
    expect(crewPhotosIn(Y.encodeStateAsUpdate(doc))).toEqual(refs);
    // What the twin lacks after `before`: the arrival only.
    expect(crewPhotosIn(Y.encodeStateAsUpdate(doc, Y.encodeStateVectorFromUpdate(before)))).toEqual(refs);
    doc.destroy();
  });
});

describe('copies in the store', () => {
  let dir: string;
  let storage: CentreStorage;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'twinline-photo-copies-'));
    storage = await openCentreStorage(dir);
  });
  afterEach(async () => {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const photo = (id: string) => ({
    id,
    linkId: 'ln-at-the-twin',
    doc: 'region/fuzhou',
    orderId: 'o-1',
    crewId: CREW.userId,
    sha256: sha('c'),
    bytes: 3,
    mime: 'image/jpeg',
    takenAt: null,
    lat: null,
    lng: null,
    uploadedAt: 1000,
  });

  it('keeps a copy through the sweep of unused photos, and stores it once', async () => {
    const data = new Uint8Array([0xff, 0xd8, 0xff]);
    expect(await storage.crews.addCopy({ ...photo('ph-copy'), attachedAction: 'arrive', attachedAt: 2000 }, data)).toBe(
      true,
    );
    expect(await storage.crews.addCopy({ ...photo('ph-copy'), attachedAction: 'arrive', attachedAt: 2000 }, data)).toBe(
      false,
    );
    await storage.crews.addPhoto(photo('ph-unused'), data);
    // Long after: the unused upload goes, the copy stays, attached to its step, and is found by content.
    expect(await storage.crews.sweep(Number.MAX_SAFE_INTEGER, 0)).toEqual({ photos: 1, links: 0 });
    const kept = await storage.crews.photoData('ph-copy');
    expect(kept?.photo).toMatchObject({ orderId: 'o-1', attachedAction: 'arrive', attachedAt: 2000 });
    expect([...kept!.data]).toEqual([...data]);
    expect((await storage.crews.attachedBySha([sha('c')])).get(sha('c'))?.id).toBe('ph-copy');
    expect(await storage.crews.photoData('ph-unused')).toBeUndefined();
  });
});
