// A field crew on its phone: the crew page served by a real centre, in Chromium with a 360 px mobile viewport and a
// granted location. The crew opens its single-use link, accepts, arrives with a photo, handles and replies; the
// station's dispatcher sees the order replied, with the evidence, in the console. The crew ticks who of it is on the
// job, and every report carries them. Without signal the arrival is kept on the phone and sent when the network is
// back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { readCrews, readOrder } from '@twinline/board';
import type { OrderEvent } from '@twinline/workorder';
import { connectClient, eventually, login as apiLogin } from '../sync-server/test/harness';
import type { Client } from '../sync-server/test/harness';
import { CREW, CREW_MEMBERS, CREW_PLACE, assignedOrder, rosterCrew } from '../sync-server/test/fixtures/crew-orders';
import { uniqueJpeg } from '../sync-server/test/fixtures/photos';
import { login, screenshot, startStack } from './stack';

type Stack = Awaited<ReturnType<typeof startStack>>;

describe('the crew page', () => {
  let stack: Stack;
  let lead: Client;
  let leadXm: Client;
  let dispatcherToken: string;
  const contexts: BrowserContext[] = [];
  /** What the pages said about the centre's Content-Security-Policy (nothing, if the page keeps to it). */
  const cspViolations: string[] = [];

  /** A phone at the order's place (a few metres off, as GPS is), or `northM` metres north of it. */
  async function phone(northM = 44): Promise<Page> {
    const context = await stack.browser.newContext({
      viewport: { width: 360, height: 740 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      locale: 'zh-CN',
      geolocation: { latitude: CREW_PLACE.lat + northM / 111_195, longitude: CREW_PLACE.lng, accuracy: 15 },
      permissions: ['geolocation'],
    });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error(`[crew page] ${e.message}`));
    page.on('console', (m) => {
      if (m.text().includes('Content Security Policy')) cspViolations.push(m.text());
    });
    return page;
  }

  /** The order's link, from its station's dispatcher (retried until the centre has the assignment). */
  async function linkFor(orderId: string): Promise<string> {
    let url = '';
    await eventually(async () => {
      const res = await fetch(`${stack.twins.fuzhou.http}/api/crew/links`, {
        method: 'POST',
        headers: { authorization: `Bearer ${dispatcherToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ doc: 'region/fuzhou', orderId }),
      });
      if (res.ok) url = ((await res.json()) as { url: string }).url;
      return res.ok;
    }, `a link for ${orderId}`);
    return url;
  }

  const photoFile = (tag: string) => ({
    name: `${tag}.jpg`,
    mimeType: 'image/jpeg',
    buffer: uniqueJpeg(tag, { takenAt: new Date(), lat: CREW_PLACE.lat + 0.0003, lng: CREW_PLACE.lng }),
  });
  const crewEvents = (c: Client, id: string): OrderEvent[] =>
    (readOrder(c.doc, id)?.order.history ?? []).filter((e) => e.by.role === 'crew');

  beforeAll(async () => {
    stack = await startStack();
    lead = connectClient(stack.twins.fuzhou, 'region/fuzhou', await apiLogin(stack.twins.fuzhou, 'lead.fz'));
    leadXm = connectClient(stack.twins.xiamen, 'region/fuzhou', await apiLogin(stack.twins.xiamen, 'lead.xm'));
    await Promise.all([lead.synced(), leadXm.synced()]);
    dispatcherToken = await apiLogin(stack.twins.fuzhou, 'disp.fuzhou-gulou');
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    lead?.destroy();
    leadXm?.destroy();
    await stack?.stop();
  });

  it('a crew accepts, arrives with a photo, handles and replies; the dispatcher sees the evidence', async () => {
    const address = '福州市鼓楼区外勤路 1 号';
    const id = assignedOrder(lead.doc, { address, note: '客户家有老人，请尽快' });
    const page = await phone();
    await page.goto(await linkFor(id));
    await page.getByTestId('job-address').filter({ hasText: address }).waitFor();
    expect(page.url()).not.toContain('#'); // the link's token leaves the address bar
    expect(await page.getByTestId('job-notes').textContent()).toContain('客户家有老人');
    await screenshot(page, 'crew-job');

    await page.getByTestId('accept').click();
    await page.getByTestId('action-arrive').waitFor();
    await page.getByTestId('photo-input').setInputFiles(photoFile('site'));
    await page.getByTestId('photo-preview').waitFor();
    await screenshot(page, 'crew-arrive');
    await page.getByTestId('arrive').click();
    await page.getByTestId('step-arrive').waitFor();
    expect(await page.getByTestId('step-arrive').getByTestId('flag').count()).toBe(0);

    await page.getByTestId('handle-note').fill('更换熔断器，已恢复供电');
    await page.getByTestId('photo-input').setInputFiles(photoFile('result'));
    await page.getByTestId('photo-preview').waitFor();
    await page.getByTestId('handle').click();
    await page.getByTestId('action-reply').waitFor();
    await page.getByTestId('reply-note').fill('已恢复供电，客户满意');
    await page.getByTestId('reply').click();
    await page.getByTestId('done').waitFor();
    expect(await page.getByTestId('job-state').getAttribute('data-state')).toBe('replied');
    await screenshot(page, 'crew-done');

    // A reload keeps the session (the link itself is used up).
    await page.reload();
    await page.getByTestId('done').waitFor();

    // The station's dispatcher: the order replied, the crew's steps with their evidence in the timeline.
    const disp = await stack.openConsole('fuzhou');
    await login(disp.page, 'disp.fuzhou-gulou');
    const row = disp.page.getByTestId('board-row').filter({ hasText: address });
    await row.waitFor({ timeout: 20_000 });
    await row.click();
    await expect
      .poll(() => disp.page.getByTestId('order-state').getAttribute('data-state'), { timeout: 10_000 })
      .toBe('replied');
    const arrival = disp.page.locator('[data-testid="timeline-event"][data-action="arrive"]');
    expect(await arrival.getByTestId('timeline-evidence').getAttribute('data-flags')).toBe('');
    // The crew by its name in the station's roster, not its id.
    expect(await arrival.textContent()).toContain(readCrews(lead.doc).find((c) => c.id === CREW)!.name);
    await screenshot(disp.page, 'crew-dispatcher-evidence');

    // And in the twin's copy of the board.
    await eventually(() => crewEvents(leadXm, id).length === 4, 'the crew steps at xiamen');
    const arrive = crewEvents(leadXm, id).find((e) => e.action === 'arrive')!;
    expect(arrive.by).toMatchObject({ userId: CREW, role: 'crew' });
    expect(arrive.evidence).toMatchObject({ offline: false, flags: [] });
    expect(arrive.evidence!.photos).toHaveLength(1);
    expect(arrive.evidence!.distanceM).toBeLessThan(100);
    expect(cspViolations).toEqual([]);
  });

  it('the crew ticks who is on the job; without signal the arrival is kept on the phone and sent, marked offline, when the network is back', async () => {
    const address = '福州市鼓楼区断网巷 2 号';
    // The station's roster: 林 and 陈 on duty, 黄 off duty.
    const [lin, chen, huang] = CREW_MEMBERS.map((m) => m.id) as [string, string, string];
    rosterCrew(lead.doc);
    const id = assignedOrder(lead.doc, { address });
    const page = await phone();
    await page.goto(await linkFor(id));
    const member = (m: string) => page.getByTestId(`member-${m}`);

    // Before accepting: the on-duty members are ticked; with nobody ticked the page says so and sends nothing.
    await page.getByTestId('members').waitFor();
    expect(await page.getByTestId('members').textContent()).toContain('本次出工人员');
    expect([await member(lin).isChecked(), await member(chen).isChecked(), await member(huang).isChecked()]).toEqual([
      true,
      true,
      false,
    ]);
    await member(lin).uncheck();
    await member(chen).uncheck();
    expect(await page.getByTestId('members-none').textContent()).toContain('请至少勾选一名出工人员');
    await page.getByTestId('accept').click();
    expect(await page.getByTestId('message').textContent()).toContain('请至少勾选一名本次出工人员');
    await page.waitForTimeout(300);
    expect(crewEvents(lead, id)).toEqual([]);
    // 陈 and 黄 (off duty, come to help) take the job.
    await member(chen).check();
    await member(huang).check();
    await screenshot(page, 'crew-members');
    await page.getByTestId('accept').click();
    await page.getByTestId('action-arrive').waitFor();
    await eventually(() => crewEvents(lead, id).length === 1, 'the acceptance at the centre');
    expect(crewEvents(lead, id)[0]!.evidence!.members).toEqual([chen, huang]);
    expect(await page.getByTestId('step-accept').getByTestId('step-members').textContent()).toContain('陈建华、黄美玲');

    // 黄 leaves before the arrival, recorded without signal: the phone keeps who was there with the record.
    expect(await member(huang).isChecked()).toBe(true);
    await member(huang).uncheck();
    await page.context().setOffline(true);
    await expect.poll(() => page.getByTestId('net').getAttribute('data-online')).toBe('false');
    await page.getByTestId('photo-input').setInputFiles(photoFile('offline'));
    await page.getByTestId('photo-preview').waitFor();
    await page.getByTestId('arrive').click();
    await page.getByTestId('pending').waitFor();
    expect(await page.getByTestId('message').textContent()).toContain('已离线记录，待上传');
    await page.getByTestId('action-handle').waitFor(); // the crew carries on
    await screenshot(page, 'crew-offline');
    await page.waitForTimeout(500);
    expect(crewEvents(lead, id).map((e) => e.action)).toEqual(['accept']);

    await page.context().setOffline(false);
    await page.getByTestId('step-arrive').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('pending').count()).toBe(0);
    expect(await page.getByTestId('step-arrive').textContent()).toContain('离线记录');
    await eventually(() => crewEvents(lead, id).some((e) => e.action === 'arrive'), 'the arrival at the centre');
    const arrive = crewEvents(lead, id).find((e) => e.action === 'arrive')!;
    expect(arrive.evidence).toMatchObject({ offline: true, members: [chen] });
    expect(arrive.evidence!.photos).toHaveLength(1);
    expect(Date.parse(arrive.evidence!.deviceAt!)).toBeLessThan(Date.parse(arrive.evidence!.serverAt));
    expect(await page.getByTestId('step-arrive').getByTestId('step-members').textContent()).toContain('陈建华');
    // And at the twin.
    await eventually(
      () =>
        crewEvents(leadXm, id)
          .find((e) => e.action === 'arrive')
          ?.evidence?.members?.join() === chen,
      'who was on the arrival, at xiamen',
    );
  });

  it('an arrival 5 km from the address shows the flag the centre gave it', async () => {
    const id = assignedOrder(lead.doc, { address: '福州市鼓楼区远处路 4 号' });
    const page = await phone(5200);
    await page.goto(await linkFor(id));
    await page.getByTestId('accept').click();
    await page.getByTestId('photo-input').setInputFiles(photoFile('far-away'));
    await page.getByTestId('photo-preview').waitFor();
    await page.getByTestId('arrive').click();
    const flag = page.locator('[data-testid="flag"][data-code="too_far"]');
    await flag.waitFor();
    expect(await flag.textContent()).toContain('位置距工单地址 5.2 公里 / 5.2 km from the address');
    await flag.scrollIntoViewIfNeeded();
    await screenshot(page, 'crew-flagged');
  });

  it('a used link on another phone is refused, in words', async () => {
    const id = assignedOrder(lead.doc, { address: '福州市鼓楼区一次路 3 号' });
    const url = await linkFor(id);
    const first = await phone();
    await first.goto(url);
    await first.getByTestId('accept').waitFor();
    const second = await phone();
    await second.goto(url);
    await expect.poll(() => second.getByTestId('message').textContent()).toContain('只能用一次');
    expect(await second.getByTestId('job').count()).toBe(0);
  });

  it("the station's dispatcher makes the link from the order in the console; it opens the job on the crew's phone", async () => {
    const address = '福州市鼓楼区链接路 8 号';
    assignedOrder(lead.doc, { address });
    const disp = await stack.openConsole('fuzhou');
    await login(disp.page, 'disp.fuzhou-gulou');
    const row = disp.page.getByTestId('board-row').filter({ hasText: address });
    await row.waitFor({ timeout: 20_000 });
    await row.click();
    await disp.page.getByTestId('order-crew-link').click();
    const url = await disp.page.getByTestId('order-crew-link-url').inputValue();
    expect(url).toMatch(/\/crew\/#.{20,}/);
    const page = await phone();
    await page.goto(url);
    await page.getByTestId('job-address').filter({ hasText: address }).waitFor();
    expect(await page.getByTestId('job-state').getAttribute('data-state')).toBe('assigned');
  });
});
