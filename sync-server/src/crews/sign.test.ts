import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { OrderEventSchema } from '@twinline/workorder';
import type { OrderEvent } from '@twinline/workorder';
import { canonical, crewEventSeal } from './sign';

const SECRET = 'twin-secret-for-tests-0123456789';
const ORDER = 'fuzhou-20261123-abcdefghij';
const event: OrderEvent = OrderEventSchema.parse({
  id: 'e-abcdefghijklmn',
  action: 'arrive',
  by: { userId: 'st-fuzhou-gulou-c1', role: 'crew', centre: 'fuzhou', stationId: 'st-fuzhou-gulou' },
  at: '2026-11-23T02:00:00.000Z',
  evidence: {
    serverAt: '2026-11-23T02:00:00.000Z',
    deviceAt: '2026-11-23T01:59:58.000Z',
    offline: false,
    location: { lat: 26.08, lng: 119.3, accuracyM: 12 },
    distanceM: 5234.5,
    photos: [{ id: 'ph-1', sha256: 'a'.repeat(64), bytes: 1000, lat: 26.081, lng: 119.3 }],
    flags: [{ code: 'too_far', detail: '位置距工单地址 5.2 公里 / 5.2 km from the address' }],
    members: ['st-fuzhou-gulou-c1-m1', 'st-fuzhou-gulou-c1-m2'],
  },
});

/** Every key of a value in reverse order, at every level. */
function reversed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversed);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([k, v]) => [k, reversed(v)]),
    );
  return value;
}

describe("the centres' seal on a crew event", () => {
  const seal = crewEventSeal(SECRET);
  const sealed = seal.seal(ORDER, event);

  it('is an HMAC in evidence.sig that the twin (same peer secret) verifies, and nobody else', () => {
    expect(sealed.evidence!.sig).toMatch(/^[0-9a-f]{64}$/);
    expect(OrderEventSchema.parse(sealed)).toEqual(sealed); // the schema keeps the seal
    expect(crewEventSeal(SECRET).verify(ORDER, sealed)).toBe(true);
    expect(crewEventSeal('another-secret-0123456789abcdef').verify(ORDER, sealed)).toBe(false);
    // HMAC-SHA256 over the canonical order id and event, with a key of its own derived from the secret.
    const text = canonical({ orderId: ORDER, event });
    const key = createHmac('sha256', SECRET).update('twinline crew evidence v1').digest();
    expect(sealed.evidence!.sig).toBe(createHmac('sha256', key).update(text).digest('hex'));
    expect(sealed.evidence!.sig).not.toBe(createHmac('sha256', SECRET).update(text).digest('hex'));
    expect(seal.sign(ORDER, event)).toBe(sealed.evidence!.sig);
    expect(seal.verify(ORDER, event)).toBe(false); // no seal at all
  });

  it('survives the trip through a Yjs document, and key order does not matter', () => {
    const doc = new Y.Doc();
    doc.getArray('events').push([sealed]);
    const copy = new Y.Doc();
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
    const back = copy.getArray<OrderEvent>('events').get(0);
    expect(seal.verify(ORDER, back)).toBe(true);
    const shuffled = reversed(sealed) as OrderEvent;
    expect(Object.keys(shuffled)).not.toEqual(Object.keys(sealed));
    expect(seal.verify(ORDER, shuffled)).toBe(true);
    expect(canonical({ b: 1, a: [{ d: 2, c: undefined }] })).toBe('{"a":[{"d":2}],"b":1}');
  });

  it('breaks when any field of the event, or the order it is on, is changed', () => {
    const ev = sealed.evidence!;
    const tampered: [string, OrderEvent][] = [
      ['id', { ...sealed, id: 'e-zzzzzzzzzzzzzz' }],
      ['action', { ...sealed, action: 'handle' }],
      ['by.userId', { ...sealed, by: { ...sealed.by, userId: 'st-fuzhou-gulou-c2' } }],
      ['at', { ...sealed, at: '2026-11-23T01:00:00.000Z' }],
      ['note added', { ...sealed, note: '已到达' }],
      ['serverAt', { ...sealed, evidence: { ...ev, serverAt: '2026-11-23T01:00:00.000Z' } }],
      ['offline', { ...sealed, evidence: { ...ev, offline: true } }],
      ['location', { ...sealed, evidence: { ...ev, location: { lat: 26.0801, lng: 119.3, accuracyM: 12 } } }],
      ['distance', { ...sealed, evidence: { ...ev, distanceM: 50 } }],
      ['distance removed', { ...sealed, evidence: { ...ev, distanceM: undefined } }],
      ['flags removed', { ...sealed, evidence: { ...ev, flags: [] } }],
      ['photo', { ...sealed, evidence: { ...ev, photos: [{ ...ev.photos[0]!, sha256: 'b'.repeat(64) }] } }],
      ['members', { ...sealed, evidence: { ...ev, members: ['st-fuzhou-gulou-c1-m1'] } }],
      ['a key the schema does not know', { ...sealed, extra: 1 } as OrderEvent],
      [
        'the seal itself',
        { ...sealed, evidence: { ...ev, sig: ev.sig!.replace(/^./, (c) => (c === '0' ? '1' : '0')) } },
      ],
      ['a seal that is not hex', { ...sealed, evidence: { ...ev, sig: 'x'.repeat(64) } }],
    ];
    for (const [what, e] of tampered) expect(seal.verify(ORDER, e), what).toBe(false);
    expect(seal.verify('fuzhou-20261123-otherorder', sealed), 'another order').toBe(false);
  });
});
