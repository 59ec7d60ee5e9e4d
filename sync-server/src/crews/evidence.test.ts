import { describe, expect, it } from 'vitest';
import { evidenceFor } from './evidence';
import type { EvidenceInput } from './evidence';
import { distanceM, distanceWords } from './geo';

const place = { lat: 26.08, lng: 119.3, source: 'county' as const };
const at = new Date('2026-11-23T02:00:00Z');
const base: EvidenceInput = {
  step: 'arrive',
  serverAt: at,
  deviceAt: at,
  offline: false,
  location: { lat: 26.08, lng: 119.3, accuracyM: 10 },
  place,
  assignedAt: new Date(at.getTime() - 3600_000),
  photos: [{ id: 'ph-1', sha256: 'a'.repeat(64), bytes: 100, takenAt: '2026-11-23T09:58:00+08:00' }],
};
const codes = (i: Partial<EvidenceInput>) => evidenceFor({ ...base, ...i }).flags.map((f) => f.code);

describe('crew evidence', () => {
  it('measures distances the way a map does', () => {
    // Fuzhou Gulou to Xiamen Siming: about 218 km as the crow flies.
    expect(distanceM({ lat: 26.08, lng: 119.3 }, { lat: 24.45, lng: 118.08 }) / 1000).toBeCloseTo(218, -1);
    expect(distanceWords(850)).toEqual({ zh: '850 米', en: '850 m' });
    expect(distanceWords(5234)).toEqual({ zh: '5.2 公里', en: '5.2 km' });
  });

  it('flags nothing when everything adds up', () => {
    const e = evidenceFor(base);
    expect(e.flags).toEqual([]);
    expect(e.distanceM).toBe(0);
    expect(e.photos[0]).toEqual({
      id: 'ph-1',
      sha256: 'a'.repeat(64),
      bytes: 100,
      takenAt: '2026-11-23T09:58:00+08:00',
    });
  });

  it('keeps who of the crew was on the job, and nothing when the page did not say', () => {
    const roster = ['c1-m1', 'c1-m2', 'c1-m3'];
    const e = evidenceFor({ ...base, members: ['c1-m1', 'c1-m3'], roster });
    expect(e.members).toEqual(['c1-m1', 'c1-m3']);
    expect(e.flags).toEqual([]);
    expect(evidenceFor(base)).not.toHaveProperty('members');
  });

  it('keeps members the roster does not have, as sent, and flags them by id', () => {
    const roster = ['c1-m1', 'c1-m2'];
    // c1-m3 left the crew after an offline record named them.
    const left = evidenceFor({ ...base, members: ['c1-m3', 'c1-m1'], roster });
    expect(left.members).toEqual(['c1-m3', 'c1-m1']);
    expect(left.flags).toEqual([
      { code: 'member_unknown', detail: "c1-m3 不在班组名单中 / c1-m3 is not in the crew's roster" },
    ]);
    // A crew the roster does not know: every member named is unknown to it.
    expect(evidenceFor({ ...base, members: ['x-1', 'x-2'] }).flags).toEqual([
      { code: 'member_unknown', detail: "x-1, x-2 不在班组名单中 / x-1, x-2 are not in the crew's roster" },
    ]);
    // Many long ids: the detail names those that fit and says how many more, within the flag's 200 characters.
    const many = Array.from({ length: 30 }, (_, i) => `st-fuzhou-gulou-c1-former-member-${i + 1}`);
    const e = evidenceFor({ ...base, members: many, roster });
    expect(e.members).toEqual(many);
    expect(e.flags).toHaveLength(1);
    expect(e.flags[0]!.detail).toBe(
      'st-fuzhou-gulou-c1-former-member-1 等 30 人 不在班组名单中 / ' +
        "st-fuzhou-gulou-c1-former-member-1 and 29 more are not in the crew's roster",
    );
    // Said before the photos' flags, so ten doubtful photos cannot push it past the 20 flags an evidence keeps.
    const photos = Array.from({ length: 10 }, (_, i) => ({
      id: `ph-${i}`,
      sha256: 'b'.repeat(64),
      bytes: 9,
      usedOn: 'X',
    }));
    const crowded = evidenceFor({ ...base, photos, members: ['c1-m9'], roster }).flags.map((f) => f.code);
    expect(crowded).toHaveLength(20);
    expect(crowded[0]).toBe('member_unknown');
  });

  it('flags each thing that does not add up, at its threshold', () => {
    expect(codes({ location: { lat: 26.08 + 1001 / 111_195, lng: 119.3, accuracyM: 5 } })).toEqual(['too_far']);
    expect(codes({ location: { lat: 26.08 + 990 / 111_195, lng: 119.3, accuracyM: 5 } })).toEqual([]);
    expect(codes({ location: undefined })).toEqual(['no_location']);
    expect(codes({ step: 'reply', location: undefined, photos: [] })).toEqual([]);
    expect(codes({ deviceAt: new Date(at.getTime() + 3 * 60_000) })).toEqual(['clock_skew']);
    expect(codes({ deviceAt: new Date(at.getTime() + 60_000) })).toEqual([]);
    expect(codes({ deviceAt: new Date(at.getTime() - 5 * 60_000) })).toEqual(['clock_skew']);
    expect(codes({ deviceAt: new Date(at.getTime() - 29 * 60_000), offline: true })).toEqual([]);
    expect(codes({ deviceAt: new Date(at.getTime() - 31 * 60_000), offline: true })).toEqual(['offline_late']);
    expect(codes({ deviceAt: new Date(at.getTime() - 61 * 60_000), offline: true })).toEqual([
      'too_early',
      'offline_late',
    ]);
  });

  it('flags photos by their own time and place, and reuse', () => {
    const photo = base.photos[0]!;
    expect(codes({ photos: [{ ...photo, takenAt: '2026-11-23T07:59:00+08:00' }] })).toEqual(['photo_old']);
    expect(codes({ photos: [{ ...photo, lat: 26.2, lng: 119.3 }] })).toEqual(['photo_far']);
    expect(codes({ photos: [{ ...photo, takenAt: undefined }] })).toEqual(['photo_no_metadata']);
    expect(codes({ photos: [{ ...photo, takenAt: undefined, lat: 26.08, lng: 119.3 }] })).toEqual([]);
    const reused = evidenceFor({ ...base, photos: [{ ...photo, usedOn: 'FZ-20261123-0001' }] }).flags;
    expect(reused).toEqual([
      {
        code: 'photo_reused',
        detail: '照片 1 曾用于工单 FZ-20261123-0001 / photo 1 was already used on FZ-20261123-0001',
      },
    ]);
  });
});
