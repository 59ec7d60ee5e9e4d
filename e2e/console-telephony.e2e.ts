// The console on the phone, end to end in Debian's Chromium: real centres with their Kamailio and a small demo
// customer directory, the console in browser mode (its host, board worker and softphone), and the simulated
// customer phone. A Xiamen customer calls 95598; the ready Xiamen agent's console rings and pops the customer
// before anyone answers; the agent answers (audio both ways), opens the prefilled order, which the centre dispatches to
// the customer's station by itself, and hangs up with a wrap-up; the station's dispatcher, signed in at the other
// centre, has it in its inbox. Then the loop closes: the crew's phone accepts, arrives with a photo, handles and
// replies; the agent calls the customer back through the softphone, records satisfaction, archives, and both sides
// rate each other, with the consoles at both centres seeing each step.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerAt } from '../packages/demo-data/src/customers';
import { uniqueJpeg } from '../sync-server/test/fixtures/photos';
import { api, kamailioInstalled, signOutEveryone, startSipTwins } from '../sync-server/test/sip-centres';
import { login as apiLogin } from '../sync-server/test/harness';
import {
  CALLER_DIST,
  connectCallerPhone,
  killSip,
  launchBrowser,
  login,
  screenshot,
  serveStatic,
  startHost,
} from './stack';
import type { HostProcess } from './stack';

const CUSTOMERS = 3000;
const SEED = 95598; // the centres' demo seed: both have the same directory

const poll = <T>(fn: () => T | Promise<T>, timeout = 15_000) => expect.poll(fn, { timeout, interval: 100 });

/** A demo customer of Xiamen with a Xiamen landline and a place on the map, from the centres' directory. */
function xiamenCustomer() {
  for (let i = 0; i < CUSTOMERS; i++) {
    const c = customerAt(SEED, i);
    const phone = c.phones.find((p) => p.startsWith('0592'));
    if (c.region.city === 'xiamen' && phone && c.location) return { ...c, phone, location: c.location };
  }
  throw new Error('no Xiamen customer with a 0592 number in the demo directory');
}

const TITLE = kamailioInstalled
  ? 'the console takes a call'
  : 'the console takes a call (skipped: kamailio is not installed; scripts/bootstrap.sh installs it)';

describe.skipIf(!kamailioInstalled)(TITLE, () => {
  let sip: Awaited<ReturnType<typeof startSipTwins>>;
  let web: Awaited<ReturnType<typeof serveStatic>>;
  let browser: Browser;
  const hosts: HostProcess[] = [];

  beforeAll(async () => {
    [sip, web, browser] = await Promise.all([
      // Automatic dispatch as a centre runs it by default (a pass every 2 s here; changes at once either way).
      startSipTwins({ logLevel: 'info', flags: ['--demo-customers', String(CUSTOMERS), '--dispatch-ms', '2000'] }),
      serveStatic(CALLER_DIST),
      launchBrowser(),
    ]);
  }, 180_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await Promise.all(hosts.map((h) => h.stop()));
    await web?.close();
    await sip?.stop();
  });

  async function consoleAt(home: 'fuzhou' | 'xiamen', user: string): Promise<Page> {
    const centres = (['fuzhou', 'xiamen'] as const).map((n) => ({ name: n, url: sip[n].centre.url, sip: sip[n].ws }));
    const host = await startHost({ centres: home === 'xiamen' ? centres.reverse() : centres, home });
    hosts.push(host);
    const page = await browser.newPage({ viewport: { width: 1600, height: 900 }, locale: 'zh-CN' });
    page.on('pageerror', (e) => console.error(`[${user}] ${e.message}`));
    await page.goto(host.open);
    await login(page, user);
    await poll(() => page.getByTestId('status-connection').getAttribute('data-status')).toBe('synced');
    return page;
  }

  /** Calls the customer back from the open order; the customer answers, the agent hangs up and wraps up. */
  async function callBack(agent: Page, caller: Page): Promise<void> {
    await agent.getByTestId('order-call-back').click();
    await poll(() => caller.getByTestId('caller-status').getAttribute('data-status')).toBe('ringing');
    await caller.getByTestId('caller-answer').click();
    await poll(() => agent.getByTestId('call-card').getAttribute('data-call-status')).toBe('active');
    await agent.getByTestId('call-hangup').click();
    await poll(() => caller.getByTestId('caller-status').getAttribute('data-status')).toBe('ended');
    await agent.getByTestId('wrap-up-code').selectOption('callback');
    await agent.getByTestId('wrap-up-submit').click();
    await poll(() => agent.getByTestId('call-card').count()).toBe(0);
  }

  /** What the first test leaves for the second: the order from the call, and who works on it. */
  let story: {
    orderId: string;
    customer: ReturnType<typeof xiamenCustomer>;
    agent: Page;
    caller: Page;
    dispatcher: Page;
  };

  it('rings the ready Xiamen agent with the customer popped, answers with audio both ways, calls back from the order, and the order reaches the station', async () => {
    const customer = xiamenCustomer();
    const agent = await consoleAt('xiamen', 'agent1.xm');
    // The phone registers by itself; the agent says it is ready (the centre keeps that state).
    await poll(() => agent.getByTestId('phone-registration').getAttribute('data-state')).toBe('registered');
    await expect(agent.getByTestId('phone-registration').getAttribute('data-centre')).resolves.toBe('xiamen');
    await agent.getByTestId('agent-state-select').selectOption('ready');
    await poll(() => agent.getByTestId('agent-state').getAttribute('data-state')).toBe('ready');

    const caller = await browser.newPage({ locale: 'zh-CN' });
    await connectCallerPhone(caller, web.url, sip.xiamen, customer.phone);
    await caller.getByTestId('caller-call').click();

    // Before the agent says a word: the card rings with the number and the customer.
    const card = agent.getByTestId('call-card');
    await poll(() => card.getAttribute('data-call-status')).toBe('ringing');
    await expect(agent.getByTestId('call-remote').textContent()).resolves.toBe(customer.phone);
    // What the call is for, from the centre's routing: the repair group, the caller's region.
    await expect(agent.getByTestId('call-queue').getAttribute('data-group')).resolves.toBe('repair');
    await expect(agent.getByTestId('call-queue').textContent()).resolves.toContain('故障报修');
    await expect(agent.getByTestId('call-queue').textContent()).resolves.toContain('厦门');
    await poll(() => agent.getByTestId('pop-customer').first().getAttribute('data-account')).toBe(customer.account);
    await screenshot(agent, 'console-call-ringing');

    await agent.keyboard.press('F2'); // answer from the keyboard
    await poll(() => card.getAttribute('data-call-status')).toBe('active');
    await poll(() => caller.getByTestId('caller-status').getAttribute('data-status')).toBe('active');
    // Audio both ways: the customer's phone counts packets arriving; the console's call is not silent.
    const rtpIn = async () => Number(await caller.getByTestId('caller-rtp-in').textContent());
    const before = await rtpIn();
    await poll(async () => (await rtpIn()) - before).toBeGreaterThan(50);
    await poll(() => agent.getByTestId('call-quality').getAttribute('data-quality'), 20_000).toMatch(/good|fair|poor/);
    await expect(agent.getByTestId('agent-state').getAttribute('data-state')).resolves.toBe('on_call');

    // The prefilled order: caller, customer and address are already there.
    await agent.getByTestId('pop-new-order').click();
    await expect(agent.getByTestId('no-callerNumber').inputValue()).resolves.toBe(customer.phone);
    await expect(agent.getByTestId('no-customerAccount').inputValue()).resolves.toBe(customer.account);
    await expect(agent.getByTestId('no-address').inputValue()).resolves.toBe(customer.address);
    await agent.getByTestId('no-description').fill('客户来电：家里停电，邻居家也没电');
    await agent.getByTestId('new-order-submit').click();
    const panel = agent.getByTestId('order-panel');
    await poll(() => panel.getAttribute('data-order-id')).toMatch(/^xiamen-/);
    const orderId = (await panel.getAttribute('data-order-id'))!;
    await screenshot(agent, 'console-call-order');

    // No one dispatches it: the centre sends it to the customer's station (and, where the station assigns
    // automatically, to its crew) while the agent is still on the line. Then the agent hangs up (F3) and wraps up.
    await poll(() => panel.getAttribute('data-state')).toMatch(/^(dispatched|assigned)$/);
    await expect(
      agent.locator('[data-testid="timeline-event"][data-action="dispatch"]').textContent(),
    ).resolves.toContain('中心自动');
    await agent.keyboard.press('F3');
    await poll(() => caller.getByTestId('caller-status').getAttribute('data-status')).toBe('ended');
    await agent.getByTestId('wrap-up-code').selectOption('order_opened');
    await agent.getByTestId('wrap-up-submit').click();
    await poll(() => agent.getByTestId('wrap-up').count()).toBe(0);

    // A callback from the order: the customer's phone rings with the agent's call, and is answered. The callback is
    // wrapped up too; the centre keeps it as the agent's outbound call.
    await callBack(agent, caller);
    const recent = await api(sip.xiamen.centre, '/api/calls/recent?limit=5', {
      token: await apiLogin(sip.xiamen.centre, 'lead.xm'),
    });
    expect((recent.body.calls as Record<string, unknown>[])[0]).toMatchObject({
      caller: 'agent1.xm',
      dialled: customer.phone,
      decision: 'outbound',
      ending: 'completed',
      wrapUp: { code: 'callback', by: 'agent1.xm' },
    });

    // The station's dispatcher, signed in at the other centre, has it on its board.
    const county = customer.stationId.split('-').slice(2).join('-');
    const dispatcher = await consoleAt('fuzhou', `disp.xiamen-${county}`);
    await poll(() => dispatcher.locator(`[data-testid="board-row"][data-order-id="${orderId}"]`).count()).toBe(1);
    await screenshot(dispatcher, 'console-call-dispatcher');
    story = { orderId, customer, agent, caller, dispatcher };
  }, 180_000);

  it('the order from the call closes its loop: the crew on site with a photo, the callback through the softphone, archive and ratings, seen at both centres', async () => {
    const { orderId, customer, agent, caller, dispatcher } = story;
    const rowOf = (page: Page) => page.locator(`[data-testid="board-row"][data-order-id="${orderId}"]`);
    const stateAt = (page: Page) => rowOf(page).getAttribute('data-state');
    /** Both consoles (the agent's at Xiamen, the station's at Fuzhou) show the order in `state`. */
    const bothSee = async (state: string) => {
      await poll(() => stateAt(agent)).toBe(state);
      await poll(() => stateAt(dispatcher)).toBe(state);
    };

    // The station's inbox: the order in its lane (given to a crew by the centre, or waiting for one).
    await rowOf(dispatcher).click();
    const dPanel = dispatcher.getByTestId('order-panel');
    await poll(() => dPanel.getAttribute('data-order-id')).toBe(orderId);
    if ((await dPanel.getAttribute('data-state')) === 'dispatched') {
      await poll(() => dispatcher.getByTestId('lane-new').getAttribute('data-count')).not.toBe('0');
      await dispatcher.getByTestId('order-action-take').click();
      await poll(() => dPanel.getAttribute('data-state')).toBe('taken');
      await dispatcher.getByTestId('order-action-assign').click();
      // The roster's crews, the one the station would pick first.
      const crew = dispatcher.locator('select[data-testid="action-input-crew"] option[data-suggested="true"]');
      await dispatcher
        .locator('select[data-testid="action-input-crew"]')
        .selectOption((await crew.getAttribute('value'))!);
      await dispatcher.getByTestId('action-confirm').click();
    }
    await bothSee('assigned');
    await dispatcher.getByTestId('lane-in_field').click();
    await poll(() => rowOf(dispatcher).count()).toBe(1);
    await poll(() => dispatcher.getByTestId('lane-in_field').getAttribute('data-count')).not.toBe('0');
    await screenshot(dispatcher, 'console-station-inbox');
    await dispatcher.getByTestId('lane-all').click();

    // The crew's link from the order panel, opened on the crew's phone at the customer's place.
    await dispatcher.getByTestId('order-crew-link').click();
    const link = await dispatcher.getByTestId('order-crew-link-url').inputValue();
    const phone: BrowserContext = await browser.newContext({
      viewport: { width: 360, height: 740 },
      isMobile: true,
      hasTouch: true,
      locale: 'zh-CN',
      geolocation: { latitude: customer.location.lat + 0.0003, longitude: customer.location.lng, accuracy: 15 },
      permissions: ['geolocation'],
    });
    const crew = await phone.newPage();
    crew.on('pageerror', (e) => console.error(`[crew page] ${e.message}`));
    await crew.goto(link);
    await crew.getByTestId('job-address').filter({ hasText: customer.address }).waitFor();
    await crew.getByTestId('accept').click();
    await poll(() => agent.locator('[data-testid="timeline-event"][data-action="accept"]').count()).toBe(1);
    const photo = (tag: string) => ({
      name: `${tag}.jpg`,
      mimeType: 'image/jpeg',
      buffer: uniqueJpeg(`${orderId}-${tag}`, {
        takenAt: new Date(),
        lat: customer.location.lat + 0.0002,
        lng: customer.location.lng,
      }),
    });
    await crew.getByTestId('photo-input').setInputFiles(photo('site'));
    await crew.getByTestId('photo-preview').waitFor();
    await crew.getByTestId('arrive').click();
    await crew.getByTestId('step-arrive').waitFor();
    expect(await crew.getByTestId('step-arrive').getByTestId('flag').count()).toBe(0);
    await bothSee('on_site');
    await crew.getByTestId('handle-note').fill('更换进户线熔断器，已恢复供电');
    await crew.getByTestId('handle').click();
    await bothSee('handled');
    await crew.getByTestId('reply-note').fill('已恢复供电，客户确认');
    await crew.getByTestId('reply').click();
    await crew.getByTestId('done').waitFor();
    await bothSee('replied');

    // The station sees the crew's arrival with its photo, fetched from the centre that kept it.
    const arrival = dispatcher.locator('[data-testid="timeline-event"][data-action="arrive"]');
    expect(await arrival.getByTestId('timeline-evidence').getAttribute('data-flags')).toBe('');
    await poll(() => arrival.getByTestId('evidence-photo').getAttribute('data-loaded')).toBe('true');
    await arrival.getByTestId('evidence-photo').click();
    await dispatcher.getByTestId('evidence-photo-view').waitFor();
    await screenshot(dispatcher, 'console-crew-photo');
    await dispatcher.getByTestId('evidence-photo-view').click();

    // The agent's callback lane has it; the call goes out through the softphone and the customer answers.
    await poll(() => agent.getByTestId('lane-callbacks').getAttribute('data-count')).not.toBe('0');
    await agent.getByTestId('lane-callbacks').click();
    await rowOf(agent).click();
    await agent.getByTestId('lane-all').click();
    await callBack(agent, caller);
    await agent.getByTestId('order-action-callback').click();
    await agent.getByTestId('action-input-satisfaction').selectOption('very_satisfied');
    await agent.getByTestId('action-confirm').click();
    await bothSee('called_back');
    await agent.getByTestId('order-action-archive').click();
    await bothSee('archived');

    // Both sides rate each other; each sees the other's rating on the order.
    await agent.getByTestId('order-action-evaluate').click();
    await agent.getByTestId('action-input-score').selectOption('5');
    await agent.getByTestId('action-input-note').fill('到场及时，处理彻底');
    await agent.getByTestId('action-confirm').click();
    await dispatcher.getByTestId('order-action-evaluate').click();
    await dispatcher.getByTestId('action-input-score').selectOption('4');
    await dispatcher.getByTestId('action-input-note').fill('工单信息完整');
    await dispatcher.getByTestId('action-confirm').click();
    await poll(() => dispatcher.getByTestId('order-evaluation-centre').textContent()).toContain('5/5');
    await poll(() => agent.getByTestId('order-evaluation-station').textContent()).toContain('4/5');
    await phone.close();
  }, 240_000);

  it('an outage declared for a Xiamen district at the Fuzhou centre shows first on the pop of a call from there at Xiamen', async () => {
    await Promise.all(browser.contexts().map((c) => c.close()));
    const customer = xiamenCustomer();
    const county = customer.region.county;
    // The district's station declares the outage from a console on the Fuzhou centre.
    const dispatcher = await consoleAt('fuzhou', `disp.xiamen-${county}`);
    await dispatcher.getByTestId('declare-outage').click();
    await dispatcher.getByTestId(`outage-county-${county}`).check();
    await dispatcher.getByTestId('outage-cause').selectOption('fault');
    await dispatcher.getByTestId('outage-description').fill('10kV 线路故障跳闸，抢修中');
    await dispatcher.getByTestId('outage-submit').click();
    const panel = dispatcher.getByTestId('order-panel');
    await poll(() => panel.getAttribute('data-order-id')).toMatch(/^fuzhou-/);
    const outageId = (await panel.getAttribute('data-order-id'))!;
    // The crews learn more: the station moves the expected restoration, and every notice follows it.
    const later = new Date(Date.now() + 5 * 3600_000);
    later.setSeconds(0, 0);
    const local = new Date(later.getTime() - later.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await dispatcher.getByTestId('outage-restore-input').fill(local);
    await dispatcher.getByTestId('outage-restore-submit').click();
    await poll(() => dispatcher.getByTestId('order-outage-details').getAttribute('data-restore-at')).toBe(
      later.toISOString(),
    );
    await screenshot(dispatcher, 'console-outage-declared');

    // A customer of that district calls the Xiamen hotline: the Xiamen agent's card shows the outage before anything.
    await signOutEveryone(sip.xiamen, 'lead.xm'); // the first test's agent is not in the way
    const agent = await consoleAt('xiamen', 'agent5.xm'); // a repair agent
    await poll(() => agent.getByTestId('phone-registration').getAttribute('data-state')).toBe('registered');
    await agent.getByTestId('agent-state-select').selectOption('ready');
    await poll(() => agent.getByTestId('agent-state').getAttribute('data-state')).toBe('ready');
    const caller = await browser.newPage({ locale: 'zh-CN' });
    await connectCallerPhone(caller, web.url, sip.xiamen, customer.phone);
    await caller.getByTestId('caller-call').click();
    await poll(() => agent.getByTestId('call-card').getAttribute('data-call-status')).toBe('ringing');
    const notice = agent.getByTestId('pop-notice');
    await poll(() => notice.getAttribute('data-order-id')).toBe(outageId);
    await expect(notice.getAttribute('data-restore-at')).resolves.toBe(later.toISOString());
    await expect(notice.textContent()).resolves.toContain('故障停电');
    // First on the pop: before the customer.
    const order = await agent
      .getByTestId('screen-pop')
      .evaluate((el) => Array.from(el.querySelectorAll('[data-testid]'), (e) => e.getAttribute('data-testid')));
    expect(order.indexOf('pop-notice')).toBeLessThan(order.indexOf('pop-customer'));
    await screenshot(agent, 'console-call-outage-notice');

    // The agent answers, opens the customer's order and merges it under the outage with one click.
    await agent.keyboard.press('F2');
    await poll(() => caller.getByTestId('caller-status').getAttribute('data-status')).toBe('active');
    await agent.getByTestId('pop-new-order').click();
    await agent.getByTestId('no-description').fill('家里停电，已告知客户停电事件和预计恢复时间');
    await agent.getByTestId('new-order-submit').click();
    const agentPanel = agent.getByTestId('order-panel');
    await poll(() => agentPanel.getAttribute('data-state')).toBe('accepted');
    const childId = (await agentPanel.getAttribute('data-order-id'))!;
    // Opened inside the outage's area, it is not dispatched by the centre: it waits for the agent to merge it.
    await new Promise((r) => setTimeout(r, 500));
    await expect(agentPanel.getAttribute('data-state')).resolves.toBe('accepted');
    await expect(agent.getByTestId('order-outage').getAttribute('data-order-id')).resolves.toBe(outageId);
    await agent.getByTestId('order-merge-outage').click();
    await poll(() => agentPanel.getAttribute('data-state')).toBe('merged');
    await agent.keyboard.press('F3');
    await poll(() => caller.getByTestId('caller-status').getAttribute('data-status')).toBe('ended');

    // The station sees it counted on the outage's row, restores power, and the merged order goes to callback.
    const counts = dispatcher.locator(
      `[data-testid="board-row"][data-order-id="${outageId}"] [data-testid="outage-counts"]`,
    );
    await poll(() => counts.getAttribute('data-merged')).toBe('1');
    await dispatcher.getByTestId('order-action-restore').click();
    await dispatcher.getByTestId('action-input-note').fill('线路抢修完毕，已恢复供电');
    await dispatcher.getByTestId('action-confirm').click();
    await poll(() => panel.getAttribute('data-state')).toBe('archived');
    const childRow = agent.locator(`[data-testid="board-row"][data-order-id="${childId}"]`);
    await poll(() => childRow.getAttribute('data-state')).toBe('replied');
  }, 180_000);

  it("Xiamen's SIP server dies mid-shift: the phone registers at Fuzhou, the agent's ready state goes with it, and a Fuzhou call rings it", async () => {
    // The first test's consoles and phones are closed: this agent is the only one ready anywhere.
    await Promise.all(browser.contexts().map((c) => c.close()));
    const agent = await consoleAt('xiamen', 'agent4.xm');
    await poll(() => agent.getByTestId('phone-registration').getAttribute('data-centre')).toBe('xiamen');
    await poll(() => agent.getByTestId('phone-registration').getAttribute('data-state')).toBe('registered');
    // The microphone the agent picks is kept for the next start of the console.
    await agent.getByTestId('phone-devices').click();
    const mics = agent.getByTestId('phone-device-microphone').locator('option');
    await poll(() => mics.count()).toBeGreaterThan(1);
    const mic = (await mics.last().getAttribute('value'))!;
    await agent.getByTestId('phone-device-microphone').selectOption(mic);
    await agent.reload();
    await agent.waitForSelector('[data-testid="login-username"], [data-testid="phone-registration"]');
    if (
      await agent
        .getByTestId('login-username')
        .isVisible()
        .catch(() => false)
    )
      await login(agent, 'agent4.xm');
    await poll(() => agent.getByTestId('phone-registration').getAttribute('data-state')).toBe('registered');
    await agent.getByTestId('phone-devices').click();
    await poll(() => agent.getByTestId('phone-device-microphone').inputValue()).toBe(mic);

    await agent.getByTestId('agent-state-select').selectOption('ready');
    await poll(() => agent.getByTestId('agent-state').getAttribute('data-state')).toBe('ready');

    killSip(sip.xiamen.centre);
    // The phone moves to the twin by itself and says so; the state the agent chose is kept there, not reset.
    await poll(() => agent.getByTestId('phone-registration').getAttribute('data-centre'), 30_000).toBe('fuzhou');
    await poll(() => agent.getByTestId('phone-registration').getAttribute('data-state')).toBe('registered');
    await poll(() => agent.getByTestId('agent-handed-over').getAttribute('data-centre')).toBe('fuzhou');
    await expect(agent.getByTestId('agent-state').getAttribute('data-state')).resolves.toBe('ready');
    const stateAt = async (at: 'fuzhou' | 'xiamen') =>
      (
        await api(sip[at].centre, '/api/agent/state?agent=agent4.xm', {
          token: await apiLogin(sip[at].centre, at === 'fuzhou' ? 'lead.fz' : 'lead.xm'),
        })
      ).body as { state: string; home: string; centre: string };
    await poll(() => stateAt('fuzhou')).toMatchObject({ state: 'ready', home: 'xiamen', centre: 'fuzhou' });
    await poll(() => stateAt('xiamen')).toMatchObject({ state: 'signed_out' });
    await screenshot(agent, 'console-phone-on-twin');

    // A Fuzhou customer calls Fuzhou's hotline: no Fuzhou agent is ready, the Xiamen agent working there is.
    const caller = await browser.newPage({ locale: 'zh-CN' });
    await connectCallerPhone(caller, web.url, sip.fuzhou, '059187650001');
    await caller.getByTestId('caller-call').click();
    const card = agent.getByTestId('call-card');
    await poll(() => card.getAttribute('data-call-status')).toBe('ringing');
    await expect(agent.getByTestId('call-remote').textContent()).resolves.toBe('059187650001');
    await agent.keyboard.press('F2');
    await poll(() => caller.getByTestId('caller-status').getAttribute('data-status')).toBe('active');
    const rtpIn = async () => Number(await caller.getByTestId('caller-rtp-in').textContent());
    const before = await rtpIn();
    await poll(async () => (await rtpIn()) - before).toBeGreaterThan(50);
    await agent.keyboard.press('F3');
    await poll(() => caller.getByTestId('caller-status').getAttribute('data-status')).toBe('ended');
    // The wrap-up goes to the centre that routed the call (Fuzhou), which keeps it with the call.
    await agent.getByTestId('wrap-up-code').selectOption('info_only');
    await agent.getByTestId('wrap-up-submit').click();
    await poll(() => agent.getByTestId('wrap-up').count()).toBe(0);
  }, 180_000);
});
