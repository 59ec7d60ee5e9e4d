import { describe, expect, it } from 'vitest';
import { FUJIAN_CITIES } from '@twinline/demo-data';
import {
  boundsOf,
  extendLasso,
  fitProjection,
  isTinyShape,
  lassoTest,
  markInside,
  pointInPolygon,
  pointInRect,
  project,
  projectAll,
  rectOf,
  summarise,
  unproject,
} from './area-geometry';

const siming = FUJIAN_CITIES.find((c) => c.id === 'xiamen')!.counties.find((k) => k.id === 'siming')!;

/** A small deterministic PRNG. */
function lcg(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** `n` places spread ±spread degrees around a county's centre, as the demo directory places its customers. */
function around(n: number, spread = 0.03, seed = 1) {
  const r = lcg(seed);
  const lat: number[] = [];
  const lng: number[] = [];
  for (let i = 0; i < n; i++) {
    lat.push(siming.lat + (r() * 2 - 1) * spread);
    lng.push(siming.lng + (r() * 2 - 1) * spread);
  }
  return { lat, lng };
}

describe('the projection of the outage drawing', () => {
  it('fits the places into the canvas with its padding, north up, east right, and round-trips', () => {
    const { lat, lng } = around(500);
    const b = boundsOf(lat, lng)!;
    const p = fitProjection(b, 600, 360, 14);
    const { xs, ys } = projectAll(p, lat, lng);
    for (let i = 0; i < lat.length; i++) {
      expect(xs[i]).toBeGreaterThanOrEqual(14 - 1e-3);
      expect(xs[i]).toBeLessThanOrEqual(600 - 14 + 1e-3);
      expect(ys[i]).toBeGreaterThanOrEqual(14 - 1e-3);
      expect(ys[i]).toBeLessThanOrEqual(360 - 14 + 1e-3);
      const one = project(p, lat[i]!, lng[i]!);
      expect(xs[i]).toBeCloseTo(one.x, 2);
      expect(ys[i]).toBeCloseTo(one.y, 2);
      const back = unproject(p, one.x, one.y);
      expect(back.lat).toBeCloseTo(lat[i]!, 9);
      expect(back.lng).toBeCloseTo(lng[i]!, 9);
    }
    // North is up, east is right.
    expect(project(p, b.north, b.west).y).toBeLessThan(project(p, b.south, b.west).y);
    expect(project(p, b.north, b.east).x).toBeGreaterThan(project(p, b.north, b.west).x);
    // The height is the tight side here (a square area on a wide canvas): it fills it, the width is centred.
    expect(project(p, b.north, b.west).y).toBeCloseTo(14, 6);
    expect(project(p, b.south, b.west).y).toBeCloseTo(346, 6);
    const left = project(p, b.north, b.west).x;
    expect(600 - project(p, b.north, b.east).x).toBeCloseTo(left, 6);
  });

  it('keeps distances true both ways: a km east is as long on the canvas as a km north', () => {
    const p = fitProjection({ south: 24.4, north: 24.5, west: 118.0, east: 118.2 }, 800, 400);
    const kmLat = 1 / 111.2;
    const kmLng = kmLat / Math.cos((24.45 * Math.PI) / 180);
    const o = project(p, 24.45, 118.1);
    const north = project(p, 24.45 + kmLat, 118.1);
    const east = project(p, 24.45, 118.1 + kmLng);
    expect(Math.hypot(east.x - o.x, east.y - o.y)).toBeCloseTo(Math.hypot(north.x - o.x, north.y - o.y), 6);
  });

  it('does not blow one customer (or none) up to fill the canvas', () => {
    expect(boundsOf([], [])).toBeNull();
    const one = boundsOf([24.45], [118.08])!;
    const p = fitProjection(one, 600, 360);
    expect(p.bounds.north - p.bounds.south).toBeCloseTo(0.002, 9);
    expect(project(p, 24.45, 118.08)).toEqual({ x: expect.closeTo(300, 6), y: expect.closeTo(180, 6) });
    // County centres widen the box even with no customers.
    expect(boundsOf([], [], [siming])).toEqual({
      south: siming.lat,
      north: siming.lat,
      west: siming.lng,
      east: siming.lng,
    });
  });
});

describe('selecting on the drawing', () => {
  it('a rectangle takes what is under it, edges included, whichever way it was dragged', () => {
    const r = rectOf(50, 40, 10, 20);
    expect(r).toEqual({ left: 10, top: 20, right: 50, bottom: 40 });
    expect(pointInRect(10, 20, r)).toBe(true);
    expect(pointInRect(50, 40, r)).toBe(true);
    expect(pointInRect(30, 30, r)).toBe(true);
    expect(pointInRect(9.99, 30, r)).toBe(false);
    expect(pointInRect(30, 40.01, r)).toBe(false);
  });

  it('a lasso takes what is inside its path, closed back to the start; a concave notch stays out', () => {
    // A "C": a square 0..100 with a notch cut from the right, 40..60 high, 50..100 wide.
    const c = [0, 0, 100, 0, 100, 40, 50, 40, 50, 60, 100, 60, 100, 100, 0, 100];
    expect(pointInPolygon(25, 50, c)).toBe(true);
    expect(pointInPolygon(75, 20, c)).toBe(true);
    expect(pointInPolygon(75, 80, c)).toBe(true);
    expect(pointInPolygon(75, 50, c)).toBe(false); // in the notch
    expect(pointInPolygon(-1, 50, c)).toBe(false);
    expect(pointInPolygon(50, 101, c)).toBe(false);
    // Not closed explicitly: the last vertex joins the first.
    const triangle = [0, 0, 100, 0, 0, 100];
    expect(pointInPolygon(20, 20, triangle)).toBe(true);
    expect(pointInPolygon(60, 60, triangle)).toBe(false);
    // A path of two vertices encloses nothing.
    expect(pointInPolygon(1, 1, [0, 0, 10, 10])).toBe(false);
  });

  it('answers a lasso filed by rows exactly as the plain test, for scribbles that cross themselves', () => {
    const r = lcg(42);
    for (let k = 0; k < 20; k++) {
      const path: number[] = [];
      const vertices = 3 + Math.floor(r() * 60);
      for (let v = 0; v < vertices; v++) path.push(r() * 200, r() * 120);
      // Some vertices on whole rows, where the bands meet.
      path[1] = Math.round(path[1]!);
      path[3] = path[1]!;
      const inside = lassoTest(path);
      for (let i = 0; i < 2000; i++) {
        const x = r() * 220 - 10;
        const y = i % 10 === 0 ? Math.round(r() * 120) : r() * 140 - 10;
        expect(inside(x, y)).toBe(pointInPolygon(x, y, path));
      }
    }
  });

  it('marks the same points as testing each one by the rules, for both shapes', () => {
    const { lat, lng } = around(5000, 0.03, 7);
    const p = fitProjection(boundsOf(lat, lng)!, 600, 360);
    const { xs, ys } = projectAll(p, lat, lng);
    const rect = { kind: 'rect' as const, x0: 400, y0: 300, x1: 120, y1: 60 };
    const mask = new Uint8Array(xs.length);
    const n = markInside(mask, xs, ys, rect);
    const box = rectOf(120, 60, 400, 300);
    const expected = [...xs.keys()].filter((i) => pointInRect(xs[i]!, ys[i]!, box));
    expect(n).toBe(expected.length);
    expect([...mask.keys()].filter((i) => mask[i])).toEqual(expected);
    expect(n).toBeGreaterThan(1000);

    // A lasso drawn as a pointer would: a circle of radius 100 around (300, 180), a vertex every degree.
    const path: number[] = [];
    for (let a = 0; a < 360; a++)
      extendLasso(path, 300 + 100 * Math.cos((a * Math.PI) / 180), 180 + 100 * Math.sin((a * Math.PI) / 180));
    expect(path.length / 2).toBeLessThan(360); // vertices closer than 3 px were skipped
    const lasso = new Uint8Array(xs.length);
    markInside(lasso, xs, ys, { kind: 'lasso', path });
    for (let i = 0; i < xs.length; i++) {
      const d = Math.hypot(xs[i]! - 300, ys[i]! - 180);
      if (d < 99) expect(lasso[i]).toBe(1);
      if (d > 100.5) expect(lasso[i]).toBe(0);
    }
  });

  it('adds to an earlier selection (Shift) by marking over it; a click selects nothing', () => {
    const xs = new Float32Array([10, 20, 30, 40]);
    const ys = new Float32Array([10, 20, 30, 40]);
    const mask = new Uint8Array(4);
    markInside(mask, xs, ys, { kind: 'rect', x0: 5, y0: 5, x1: 15, y1: 15 });
    markInside(mask, xs, ys, { kind: 'rect', x0: 35, y0: 35, x1: 45, y1: 45 });
    expect([...mask]).toEqual([1, 0, 0, 1]);
    const click = { kind: 'rect' as const, x0: 20, y0: 20, x1: 21, y1: 21 };
    expect(isTinyShape(click)).toBe(true);
    expect(markInside(new Uint8Array(4), xs, ys, click)).toBe(0);
    expect(isTinyShape({ kind: 'lasso', path: [0, 0, 50, 50] })).toBe(true);
  });

  it('sums a selection up: customers, their service points once each, and everyone on those service points', () => {
    // Six customers on service points 0, 1, 0, 2, 1, 3; customers 0 and 1 selected.
    const servicePointOf = [0, 1, 0, 2, 1, 3];
    const s = summarise(new Uint8Array([1, 1, 0, 0, 0, 0]), servicePointOf, 4);
    expect(s.customers).toBe(2);
    expect(s.servicePoints).toEqual([0, 1]);
    expect([...s.servicePointMask]).toEqual([1, 1, 0, 0]);
    expect(s.covered).toBe(4); // customers 0, 1, 2, 4
    const none = summarise(new Uint8Array(6), servicePointOf, 4);
    expect(none).toMatchObject({ customers: 0, servicePoints: [], covered: 0 });
  });
});
