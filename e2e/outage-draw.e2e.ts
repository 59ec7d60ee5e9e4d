// Drawing an outage's service points, end to end in Debian's Chromium: real centres with a small demo customer
// directory, a Xiamen station dispatcher's console (its host's customer cache filled by the console's own sync).
// The dispatcher opens the declare-outage drawer, shows its district's customers on the map, cancels one drag with
// Esc, drags a rectangle over part of the dots, adds the service points (台区) of the customers inside, and declares:
// the outage's order lists exactly the service points of the directory's customers under that rectangle.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { customerAt } from '../packages/demo-data/src/customers';
import { fitProjection, pointInRect, project, rectOf } from '../desktop/src/browser/features/outages/area-geometry';
import { login, screenshot, startStack } from './stack';

const CUSTOMERS = 20_000;
const SEED = 95598; // the centres' demo seed
const CITY = 'xiamen';
const COUNTY = 'siming';

const poll = <T>(fn: () => T | Promise<T>, timeout = 20_000) => expect.poll(fn, { timeout, interval: 100 });

describe('drawing the service points of an outage', () => {
  let stack: Awaited<ReturnType<typeof startStack>>;
  let page: Page;
  let consoleDir: string | undefined;

  beforeAll(async () => {
    stack = await startStack({ flags: ['--demo-customers', String(CUSTOMERS)] });
    // The console's first customer sync must find the directory there (its next pass is a minute later).
    await Promise.all(
      [stack.twins.fuzhou, stack.twins.xiamen].map((c) =>
        c.waitForLog((l) => l.msg === 'demo customer directory seeded', 30_000),
      ),
    );
    const opened = await stack.openConsole('xiamen');
    page = opened.page;
    consoleDir = opened.host.dataDir;
    await login(page, `disp.${CITY}-${COUNTY}`);
    await page.locator('[data-testid="status-connection"][data-status="synced"]').waitFor({ timeout: 20_000 });
  });
  afterAll(async () => {
    await stack?.stop();
    if (consoleDir) rmSync(consoleDir, { recursive: true, force: true });
  });

  it("a dispatcher draws a rectangle over part of its district's customers and declares the outage on their service points", async () => {
    // The directory's customers of the district, as the centres generated them.
    const wanted = Array.from({ length: CUSTOMERS }, (_, i) => customerAt(SEED, i)).filter(
      (c) => c.region.city === CITY && c.region.county === COUNTY && c.location,
    );

    await page.getByTestId('declare-outage').click();
    await page.getByTestId('outage-draw-toggle').click();
    // The station's own district is shown first; its customers arrive with the console's sync.
    await expect(page.getByTestId(`outage-draw-county-${COUNTY}`).isChecked()).resolves.toBe(true);
    const canvas = page.getByTestId('outage-draw-canvas');
    await poll(() => canvas.getAttribute('data-points')).toBe(String(wanted.length));
    await expect(canvas.getAttribute('aria-label')).resolves.toContain('思明区');
    await canvas.scrollIntoViewIfNeeded();
    const box = (await canvas.boundingBox())!;
    const bounds = (await canvas.getAttribute('data-bounds'))!.split(',').map(Number) as [
      number,
      number,
      number,
      number,
    ];

    // A drag cancelled with Esc selects nothing and leaves the drawer open.
    await page.mouse.move(box.x + 20, box.y + 20);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width - 20, box.y + box.height - 20, { steps: 6 });
    await poll(() => canvas.getAttribute('data-drawing')).toBe('true');
    await expect.poll(() => canvas.getAttribute('data-selected')).not.toBe('0');
    await page.keyboard.press('Escape');
    await poll(() => canvas.getAttribute('data-drawing')).toBe('false');
    await page.mouse.up();
    await expect(canvas.getAttribute('data-selected')).resolves.toBe('0');
    await expect(page.getByTestId('outage-form').isVisible()).resolves.toBe(true);
    await expect(page.getByTestId('outage-draw-status').textContent()).resolves.toBe('已取消圈选');

    // The rectangle: the left 40% of the canvas, its top two thirds.
    const [x0, y0, x1, y1] = [8, 8, Math.round(box.width * 0.4), Math.round(box.height * 0.66)];
    await page.mouse.move(box.x + x1, box.y + y1);
    await page.mouse.down();
    await page.mouse.move(box.x + (x0 + x1) / 2, box.y + (y0 + y1) / 2, { steps: 4 });
    await page.mouse.move(box.x + x0, box.y + y0, { steps: 4 });
    await page.mouse.up();

    // Who is under it, by the drawing's own projection of the places the directory gave.
    const proj = fitProjection(
      { south: bounds[0], north: bounds[1], west: bounds[2], east: bounds[3] },
      box.width,
      box.height,
    );
    const rect = rectOf(x0, y0, x1, y1);
    const inside = wanted.filter((c) => {
      const p = project(proj, c.location!.lat, c.location!.lng);
      return pointInRect(p.x, p.y, rect);
    });
    expect(inside.length).toBeGreaterThan(10);
    expect(inside.length).toBeLessThan(wanted.length);
    const servicePoints = [...new Set(inside.map((c) => c.servicePoint))].sort();
    await poll(() => canvas.getAttribute('data-selected')).toBe(String(inside.length));
    const count = page.getByTestId('outage-draw-count');
    await expect(count.textContent()).resolves.toContain(`已选 ${inside.length.toLocaleString('en')} 户`);
    await expect(count.textContent()).resolves.toContain(`涉及 ${servicePoints.length} 个台区`);
    await expect(page.getByTestId('outage-draw-status').textContent()).resolves.toContain(`已选 ${inside.length}`);

    await page.getByTestId('outage-draw-add').click();
    await poll(() => page.getByTestId('outage-draw-added').textContent()).toContain(
      `已添加 ${servicePoints.length} 个台区`,
    );
    const listed = (await page.getByTestId('outage-points').inputValue())
      .split(/[\s,]+/)
      .filter(Boolean)
      .sort();
    expect(listed).toEqual(servicePoints);
    await screenshot(page, 'outage-draw');

    // Figures for the report: what was read and how long a frame of the drawing took.
    const loadedLine = await page.getByTestId('outage-draw-loaded').textContent();
    const frames = await page.evaluate(() =>
      performance.getEntriesByName('twinline:outage-draw').map((e) => Math.round(e.duration * 10) / 10),
    );
    console.log(
      `outage drawing: ${wanted.length} customers of ${COUNTY}, ${inside.length} selected on ${servicePoints.length} ` +
        `service points; loaded: ${loadedLine}; frames (ms): ` +
        `max ${Math.max(...frames)}, median ${frames.sort((a, b) => a - b)[frames.length >> 1]} over ${frames.length}`,
    );

    // Declared: the outage's order lists those service points.
    await page.getByTestId('outage-cause').selectOption('fault');
    await page.getByTestId('outage-description').fill('10kV 线路故障，圈选范围内台区停电');
    await page.getByTestId('outage-submit').click();
    const panel = page.getByTestId('order-panel');
    await poll(() => panel.getAttribute('data-order-id')).toMatch(/^xiamen-/);
    const details = (await page.getByTestId('order-outage-details').textContent())!;
    for (const sp of servicePoints) expect(details).toContain(sp);
    expect(details).toContain('故障停电');
  });
});
