import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PhotoAttachError, openCentreStorage } from './index';
import type { CentreStorage } from './index';

let dir: string;
let storage: CentreStorage;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'twinline-crews-'));
  storage = await openCentreStorage(dir);
});
afterEach(async () => {
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
});

const link = {
  id: 'ln-1',
  tokenHash: 'a'.repeat(64),
  doc: 'region/fuzhou',
  orderId: 'o-1',
  crewId: 'st-fuzhou-gulou-c1',
  stationId: 'st-fuzhou-gulou',
  assignEventId: 'e-assign',
  createdBy: 'disp.fuzhou-gulou',
  createdAt: 1000,
  expiresAt: 10_000,
};
const photo = (id: string, over: Partial<Parameters<CentreStorage['crews']['addPhoto']>[0]> = {}) => ({
  id,
  linkId: 'ln-1',
  doc: 'region/fuzhou',
  orderId: 'o-1',
  crewId: 'st-fuzhou-gulou-c1',
  sha256: id.padEnd(64, '0'),
  bytes: 3,
  mime: 'image/jpeg',
  takenAt: null,
  lat: null,
  lng: null,
  uploadedAt: 2000,
  ...over,
});

describe('crew links and photos', () => {
  it('a link is used up exactly once, even when two phones race', async () => {
    await storage.crews.createLink(link);
    const results = await Promise.all(
      ['s1', 's2', 's3'].map((s) => storage.crews.consumeLink(link.tokenHash, s.padEnd(64, '0'), 5000)),
    );
    expect(results.filter((r) => r.kind === 'ok')).toHaveLength(1);
    expect(results.filter((r) => r.kind === 'used')).toHaveLength(2);
    expect(await storage.crews.consumeLink('b'.repeat(64), 'x', 5000)).toEqual({ kind: 'unknown' });
    await storage.crews.createLink({ ...link, id: 'ln-2', tokenHash: 'c'.repeat(64) });
    expect((await storage.crews.consumeLink('c'.repeat(64), 'y', 10_000)).kind).toBe('expired');
  });

  it('attaches all of a step photos or none, and sweeps only the unused ones', async () => {
    await storage.crews.addPhoto(photo('p1'), new Uint8Array([1, 2, 3]));
    await storage.crews.addPhoto(photo('p2'), new Uint8Array([1, 2, 3]));
    await storage.crews.addPhoto(photo('p3', { crewId: 'st-fuzhou-gulou-c2' }), new Uint8Array([1, 2, 3]));
    const owner = { orderId: 'o-1', crewId: 'st-fuzhou-gulou-c1' };
    await expect(storage.crews.attach(['p1', 'p3'], owner, 'arrive', 3000)).rejects.toBeInstanceOf(PhotoAttachError);
    expect((await storage.crews.photos(['p1'])).map((p) => p.attachedAt)).toEqual([null]);
    await storage.crews.attach(['p1'], owner, 'arrive', 3000);
    await expect(storage.crews.attach(['p1'], owner, 'handle', 3001)).rejects.toBeInstanceOf(PhotoAttachError);
    expect([...(await storage.crews.attachedBySha([photo('p1').sha256, photo('p2').sha256])).keys()]).toEqual([
      photo('p1').sha256,
    ]);
    expect(await storage.crews.sweep(2001, 0)).toEqual({ photos: 2, links: 0 });
    expect((await storage.crews.photos(['p1', 'p2', 'p3'])).map((p) => p.id)).toEqual(['p1']);
    expect((await storage.crews.photoData('p1'))?.data).toEqual(Buffer.from([1, 2, 3]));
  });
});
