// Outage drawing benchmark: a console's customer cache with 1,000,000 demo customers (desktop/bench/fill-customers.ts),
// then what the drawing does for a county and for a whole city: `customers.inArea` through the browser-mode bridge
// (HTTP to the host, zod on both sides, as the renderer calls it), and the renderer's own work on the answer: the
// projection, the dots painted into a 588 × 360 canvas's pixels, and one drag frame (a rectangle and a lasso over
// half the area: points inside, summary, selection painted). The canvas's putImageData is not in it (Chromium: the
// e2e test logs its frames, about a millisecond for a county).
//
// Run alone: bash scripts/pnpm.sh exec tsx scripts/bench.ts outage-area
// TWINLINE_BENCH_CUSTOMERS=100000 for a shorter run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FUJIAN_CITIES } from '@twinline/demo-data';
import { fillCustomerFile } from './fill-customers';
import { createBridgeClient } from '../src/browser/bridge-client';
import {
  boundsOf,
  fitProjection,
  markInside,
  projectAll,
  summarise,
} from '../src/browser/features/outages/area-geometry';
import type { Shape } from '../src/browser/features/outages/area-geometry';
import { hex, paintDots, paintSelection } from '../src/browser/features/outages/area-raster';
import { openHost } from '../src/node/host/host';
import { serveHost } from '../src/node/host/serve';
import type { BenchResult } from '../../scripts/bench';
import { pct, round } from '../../scripts/bench-kit';

const COUNT = Number(process.env.TWINLINE_BENCH_CUSTOMERS ?? 1_000_000);
const SEED = 95598;
const RUNS = 7;
const [W, H] = [588, 360];

const countiesOf = (city: string) => FUJIAN_CITIES.find((c) => c.id === city)!.counties.map((k) => k.id);
const AREAS: { label: string; city: string; counties: string[] }[] = [
  { label: 'one county (厦门 思明区)', city: 'xiamen', counties: ['siming'] },
  { label: 'one county (泉州 鲤城区)', city: 'quanzhou', counties: ['licheng'] },
  { label: 'a whole city (厦门, 6 counties)', city: 'xiamen', counties: countiesOf('xiamen') },
  { label: 'a whole city (泉州, the largest)', city: 'quanzhou', counties: countiesOf('quanzhou') },
];

const median = (xs: number[]) => pct(xs, 50);

export default async function run(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'twinline-outage-area-bench-'));
  const results: BenchResult[] = [];
  const n = COUNT.toLocaleString('en');
  try {
    const fill = await fillCustomerFile(dir, { count: COUNT, seed: SEED, centre: 'xiamen' });
    console.error(`  filled ${n} customers in ${round(fill.seconds, 1)} s`);
    const host = await openHost({ dataDir: dir });
    await host.customers;
    const served = await serveHost({
      dispatch: host.dispatch,
      rendererDir: join(dir, 'no-renderer'),
      settings: () => host.handlers['settings.get']({}),
    });
    try {
      const bridge = createBridgeClient({ hostUrl: served.url, token: served.token, fetch });
      for (const area of AREAS) {
        const load: number[] = [];
        let points = await bridge.call('customers.inArea', { city: area.city, counties: area.counties }); // warm-up
        for (let i = 0; i < RUNS; i++) {
          const t = performance.now();
          points = await bridge.call('customers.inArea', { city: area.city, counties: area.counties });
          load.push(performance.now() - t);
        }
        const count = points.accounts.length;
        results.push({
          name: `customers.inArea, ${area.label}: ${count.toLocaleString('en')} points, browser-mode bridge, ${n} cached`,
          value: round(median(load), 1),
          unit: 'ms',
          // A county is what a dispatcher draws in; a whole city is the worst case, shown without a target.
          ...(area.counties.length === 1 ? { target: '< 300', met: median(load) < 300 } : {}),
          note: `median of ${RUNS}; ${points.servicePoints.length} service points${points.step > 1 ? `, one in ${points.step}` : ''}`,
        });

        // The renderer's work on it: project, paint the dots (the base layer), then one drag frame each way.
        const spOf = Uint32Array.from(points.servicePoint);
        const draw: number[] = [];
        const frames: Record<Shape['kind'], number[]> = { rect: [], lasso: [] };
        const circle: number[] = [];
        for (let a = 0; a < 360; a += 2)
          circle.push(W / 2 + 150 * Math.cos((a * Math.PI) / 180), H / 2 + 150 * Math.sin((a * Math.PI) / 180));
        const shapes: Shape[] = [
          { kind: 'rect', x0: 0, y0: 0, x1: W / 2, y1: H },
          { kind: 'lasso', path: circle },
        ];
        for (let i = 0; i < RUNS; i++) {
          const t = performance.now();
          const proj = fitProjection(boundsOf(points.lat, points.lng)!, W, H);
          const { xs, ys } = projectAll(proj, points.lat, points.lng);
          const base = { width: W, height: H, px: new Uint32Array(W * H) };
          base.px.fill(hex('#f8fafc'));
          paintDots(base, xs, ys, 1, 2, hex('#9aa5b1'));
          draw.push(performance.now() - t);
          const frame = { width: W, height: H, px: new Uint32Array(W * H) };
          const mask = new Uint8Array(count);
          for (const shape of shapes) {
            const f = performance.now();
            mask.fill(0);
            markInside(mask, xs, ys, shape);
            const sum = summarise(mask, spOf, points.servicePoints.length);
            frame.px.set(base.px);
            paintSelection(
              frame,
              xs,
              ys,
              1,
              2,
              { mask, servicePointOf: spOf, servicePointMask: sum.servicePointMask },
              { selected: hex('#c2410c'), covered: hex('#f59e0b') },
            );
            frames[shape.kind].push(performance.now() - f);
          }
        }
        results.push(
          {
            name: `draw ${count.toLocaleString('en')} points (${area.label}): projection + dots into a ${W}×${H} canvas's pixels`,
            value: round(median(draw), 2),
            unit: 'ms',
            target: '< 16 (a frame)',
            met: median(draw) < 16,
          },
          {
            name: `one drag frame, ${area.label}: rectangle over half (select, sum up, paint)`,
            value: round(median(frames.rect), 2),
            unit: 'ms',
            target: '< 16 (a frame)',
            met: median(frames.rect) < 16,
          },
          {
            name: `one drag frame, ${area.label}: lasso of 180 vertices`,
            value: round(median(frames.lasso), 2),
            unit: 'ms',
            target: '< 16 (a frame)',
            met: median(frames.lasso) < 16,
          },
        );
      }
    } finally {
      await served.close();
      await host.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
