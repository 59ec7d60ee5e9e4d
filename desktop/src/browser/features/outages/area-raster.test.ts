import { describe, expect, it } from 'vitest';
import { hex, paintDots, paintSelection, rgba } from './area-raster';
import type { Raster } from './area-raster';

const raster = (width: number, height: number): Raster => ({ width, height, px: new Uint32Array(width * height) });
const at = (r: Raster, x: number, y: number) => r.px[y * r.width + x];

describe('painting the dots', () => {
  it('writes colours as ImageData bytes: r, g, b, a in memory order', () => {
    const word = new Uint32Array([rgba(1, 2, 3, 4)]);
    expect([...new Uint8Array(word.buffer)]).toEqual([1, 2, 3, 4]);
    expect(hex('#d2691e')).toBe(rgba(0xd2, 0x69, 0x1e));
    expect(hex('#fff')).toBe(rgba(255, 255, 255));
  });

  it('paints each point as a square of device pixels, clipped at the edges', () => {
    const r = raster(10, 10);
    const red = rgba(255, 0, 0);
    // CSS px × dpr 2: (2, 2) is device (4, 4); a 2-px dot covers 3..4 × 3..4.
    paintDots(r, new Float32Array([2, 0]), new Float32Array([2, 0]), 2, 2, red);
    expect([at(r, 3, 3), at(r, 4, 3), at(r, 3, 4), at(r, 4, 4)]).toEqual([red, red, red, red]);
    expect(at(r, 5, 5)).toBe(0);
    expect(at(r, 2, 2)).toBe(0);
    // The corner dot is clipped, not wrapped onto the previous row or outside the buffer.
    expect(at(r, 0, 0)).toBe(red);
    expect(at(r, 9, 0)).toBe(0);
    expect(r.px.filter((p) => p === red)).toHaveLength(5);
  });

  it('shows the selection over the dots: the selected, then the others on their service points, the rest untouched', () => {
    const r = raster(8, 1);
    const base = rgba(100, 100, 100);
    const xs = new Float32Array([0.5, 2.5, 4.5, 6.5]);
    const ys = new Float32Array([0.5, 0.5, 0.5, 0.5]);
    paintDots(r, xs, ys, 1, 1, base);
    const selected = rgba(200, 0, 0);
    const covered = rgba(250, 180, 0);
    paintSelection(
      r,
      xs,
      ys,
      1,
      1,
      {
        mask: new Uint8Array([1, 0, 0, 0]),
        servicePointOf: [7, 7, 3, 9],
        servicePointMask: Uint8Array.from({ length: 10 }, (_, i) => (i === 7 ? 1 : 0)),
      },
      { selected, covered },
    );
    expect([at(r, 0, 0), at(r, 2, 0), at(r, 4, 0), at(r, 6, 0)]).toEqual([selected, covered, base, base]);
  });
});
