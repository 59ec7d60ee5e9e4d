// Call routing end to end in Debian's Chromium: real twin centres with their Kamailio and a short routing
// configuration (every queue waits at most MAX_WAIT_MS; Xiamen takes one Xiamen-region call at a time), the
// simulated customer phone (packages/caller index.html), bare agent phones (agent.html) and the console in browser
// mode. What is checked is what the customer and the agents notice (ringing, who rings with which number, the
// refusal's SIP reason, audio by RTP counts from getStats); the centres' logged decisions confirm why.
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CallSnapshot, RtpStats } from '../packages/softphone/src';
import { login as apiLogin, eventually } from '../sync-server/test/harness';
import {
  TestAgent,
  api,
  decisionsOf,
  kamailioInstalled,
  signOutEveryone,
  startSipTwins,
  testRouting,
} from '../sync-server/test/sip-centres';
import type { SipCentre } from '../sync-server/test/sip-centres';
import {
  CALLER_DIST,
  connectCallerPhone,
  launchBrowser,
  login,
  makeReady,
  screenshot,
  serveStatic,
  signInAgentPhone,
  sipCentres,
  startHost,
} from './stack';
import type { HostProcess } from './stack';

/** Every skill group's longest wait before a call overflows to the twin: short, so the test is quick. */
const MAX_WAIT_MS = 3000;

// What the pages expose to tests (packages/caller/src/caller.ts and agent.ts).
type PhoneGlobal = {
  phone: {
    state: { calls: CallSnapshot[] };
    stats(id: string): Promise<RtpStats | null>;
    hangup(id: string): Promise<void>;
  };
  current(): CallSnapshot | null;
};
type PhoneWindow = { twinlineAgent?: PhoneGlobal; twinlineCaller?: PhoneGlobal };

const poll = <T>(fn: () => T | Promise<T>, timeout = 10_000) => expect.poll(fn, { timeout, interval: 100 });
const text = (page: Page, testId: string) => page.getByTestId(testId).textContent();
const status = (page: Page, testId: string) => page.getByTestId(testId).getAttribute('data-status');

/** The page's current call (the ringing or newest live one, else the last that ended). */
function current(page: Page): Promise<CallSnapshot | null> {
  return page.evaluate(() => {
    const w = window as unknown as PhoneWindow;
    return (w.twinlineAgent ?? w.twinlineCaller)!.current();
  });
}

/** RTP packets received so far on the page's current call (getStats inbound-rtp), 0 before it has media. */
function packetsIn(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const w = window as unknown as PhoneWindow;
    const phone = (w.twinlineAgent ?? w.twinlineCaller)!;
    const call = phone.current();
    if (!call || call.status !== 'active') return 0;
    return (await phone.phone.stats(call.id))?.inbound.packetsReceived ?? 0;
  });
}

/** Ends every live call of a bare phone page (nothing on a console page). */
function hangUpAll(page: Page): Promise<void> {
  return page.evaluate(async () => {
    const w = window as unknown as PhoneWindow;
    const phone = (w.twinlineAgent ?? w.twinlineCaller)?.phone;
    for (const c of phone?.state.calls ?? []) if (c.status !== 'ended') await phone!.hangup(c.id);
  });
}

/** Audio flows both ways between two pages' current calls: more than 50 packets in at each (about 1 s of Opus). */
async function audioBothWays(a: Page, b: Page): Promise<void> {
  await poll(() => packetsIn(a), 15_000).toBeGreaterThan(50);
  await poll(() => packetsIn(b), 15_000).toBeGreaterThan(50);
}

const TITLE = kamailioInstalled
  ? 'call routing seen by the customer and the agents'
  : 'call routing (skipped: kamailio is not installed; scripts/bootstrap.sh installs it)';

describe.skipIf(!kamailioInstalled)(TITLE, () => {
  let sip: Awaited<ReturnType<typeof startSipTwins>>;
  let web: Awaited<ReturnType<typeof serveStatic>>;
  let browser: Browser;
  const hosts: HostProcess[] = [];
  const pages: Page[] = [];

  beforeAll(async () => {
    [sip, web, browser] = await Promise.all([
      startSipTwins({
        logLevel: 'info',
        routing: {
          fuzhou: testRouting('fuzhou', { maxWaitMs: MAX_WAIT_MS }),
          xiamen: testRouting('xiamen', { maxWaitMs: MAX_WAIT_MS, regionLimits: { xiamen: 1 } }),
        },
      }),
      serveStatic(CALLER_DIST),
      launchBrowser(),
    ]);
  }, 120_000);

  afterEach(async () => {
    // Hang up what a failed test left ringing or talking (a closed page sends no BYE), then close the pages.
    await Promise.all(pages.map((p) => hangUpAll(p).catch(() => undefined)));
    await Promise.all(pages.splice(0).map((p) => p.close().catch(() => undefined)));
    await Promise.all(hosts.splice(0).map((h) => h.stop()));
    await Promise.all([signOutEveryone(sip.fuzhou, 'lead.fz'), signOutEveryone(sip.xiamen, 'lead.xm')]);
    // Every call of the test has ended at both centres (Xiamen's region limit counts calls still in progress).
    for (const [at, lead] of [
      [sip.fuzhou, 'lead.fz'],
      [sip.xiamen, 'lead.xm'],
    ] as const) {
      const token = await apiLogin(at.centre, lead);
      await eventually(
        async () => ((await api(at.centre, '/api/calls/snapshot', { token })).body.calls as unknown[]).length === 0,
        `no call left at ${at.name}`,
      );
    }
  });

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await Promise.all(hosts.map((h) => h.stop()));
    await web?.close();
    await sip?.stop();
  });

  async function newPage(name: string): Promise<Page> {
    const page = await browser.newPage({ locale: 'zh-CN' });
    page.on('pageerror', (e) => console.error(`[${name}] ${e.message}`));
    pages.push(page);
    return page;
  }

  const agentPhone = async (at: SipCentre, user: string) => signInAgentPhone(await newPage(user), web.url, at, user);
  const callerPhone = async (at: SipCentre, number: string, digit = '1') =>
    connectCallerPhone(await newPage(`caller ${number}`), web.url, at, number, digit);

  /** The console (desktop renderer in browser mode, its own host) signed in as `user`, its phone registered. */
  async function consoleAt(home: 'fuzhou' | 'xiamen', user: string): Promise<Page> {
    const host = await startHost({ centres: sipCentres(sip, home), home });
    hosts.push(host);
    const page = await browser.newPage({ viewport: { width: 1600, height: 900 }, locale: 'zh-CN' });
    page.on('pageerror', (e) => console.error(`[${user}] ${e.message}`));
    pages.push(page);
    await page.goto(host.open);
    await login(page, user);
    await poll(() => page.getByTestId('status-connection').getAttribute('data-status'), 20_000).toBe('synced');
    await poll(() => page.getByTestId('phone-registration').getAttribute('data-state'), 20_000).toBe('registered');
    return page;
  }

  it('no Xiamen agent ready: the caller hears ringing through the longest wait, then a ready Fuzhou agent rings with the number and answers; audio both ways', async () => {
    // agent4.xm is signed in with a registered phone but on a break; every other Xiamen agent is signed out.
    const resting = await agentPhone(sip.xiamen, 'agent4.xm');
    await (await TestAgent.signIn(sip.xiamen, 'agent4.xm')).set('not_ready', 'break');
    const fz = await agentPhone(sip.fuzhou, 'agent4.fz');
    await makeReady(sip.fuzhou.centre, 'agent4.fz');
    const caller = await callerPhone(sip.xiamen, '05922000001');

    const t0 = Date.now();
    await caller.getByTestId('caller-call').click();
    await poll(() => text(caller, 'caller-status')).toBe('ringing 95598*1');
    const callId = (await current(caller))!.sipCallId;
    expect((await decisionsOf(sip.xiamen.centre, callId, 1))[0]).toMatchObject({
      decision: 'queue',
      reason: 'queued',
      region: 'xiamen',
      group: 'repair',
    });
    // Half-way through the wait: the customer still hears ringing, and nobody's phone rings.
    await caller.waitForTimeout(Math.max(0, t0 + MAX_WAIT_MS / 2 - Date.now()));
    expect(await text(caller, 'caller-status')).toBe('ringing 95598*1');
    expect(await status(resting, 'agent-call-status')).toBe('none');
    expect(await status(fz, 'agent-call-status')).toBe('none');

    // After the longest wait the call goes to Fuzhou: the ready Fuzhou agent's phone rings with the caller's number.
    await poll(() => status(fz, 'agent-call-status'), 15_000).toBe('ringing');
    const waited = Date.now() - t0;
    console.log(`overflowed to Fuzhou ${waited} ms after the customer dialled (max wait ${MAX_WAIT_MS} ms)`);
    expect(waited).toBeGreaterThanOrEqual(MAX_WAIT_MS - 100);
    expect(await text(fz, 'agent-call-from')).toBe('05922000001');
    expect(await current(fz)).toMatchObject({ direction: 'inbound', remote: '05922000001', centre: 'fuzhou' });
    expect(await text(caller, 'caller-status')).toBe('ringing 95598*1');
    await screenshot(fz, 'call-routing-overflow-ringing');

    await fz.getByTestId('agent-answer').click();
    await poll(() => status(caller, 'caller-status')).toBe('active');
    await poll(() => status(fz, 'agent-call-status')).toBe('active');
    await audioBothWays(fz, caller);
    // The caller's one call was never refused; the agent on a break was never offered it.
    expect(await current(caller)).toMatchObject({ sipCallId: callId, status: 'active', endCode: null });
    expect(await status(resting, 'agent-call-status')).toBe('none');

    expect((await decisionsOf(sip.xiamen.centre, callId, 2)).map((d) => [d.decision, d.reason])).toEqual([
      ['queue', 'queued'],
      ['overflow', 'max_wait'],
    ]);
    expect(await decisionsOf(sip.fuzhou.centre, callId, 1)).toMatchObject([
      { decision: 'offer', agentId: 'agent4.fz', region: 'xiamen', group: 'repair' },
    ]);

    await caller.getByTestId('caller-hangup').click();
    await poll(() => status(fz, 'agent-call-status')).toBe('ended');
  });

  it("Xiamen's region limit is full: a second Xiamen caller is refused with 503 and its reason, while a Zhangzhou caller gets through at the same time", async () => {
    const first = await agentPhone(sip.xiamen, 'agent4.xm');
    const second = await agentPhone(sip.xiamen, 'agent3.xm');
    await makeReady(sip.xiamen.centre, 'agent4.xm');

    // One Xiamen call in progress (the limit at Xiamen): agent4.xm talks with the customer.
    const talking = await callerPhone(sip.xiamen, '05922000011');
    await talking.getByTestId('caller-call').click();
    await poll(() => status(first, 'agent-call-status')).toBe('ringing');
    await first.getByTestId('agent-answer').click();
    await poll(() => status(talking, 'caller-status')).toBe('active');

    // Another agent is free, yet a second Xiamen customer is refused, and the phone says why.
    await makeReady(sip.xiamen.centre, 'agent3.xm');
    const refused = await callerPhone(sip.xiamen, '05922000012');
    await refused.getByTestId('caller-call').click();
    await poll(() => status(refused, 'caller-status')).toBe('ended');
    await screenshot(refused, 'call-routing-region-limit-refused');
    const refusedCall = (await current(refused))!;
    expect(refusedCall.answeredAt).toBeNull();
    // Soft: a wrong reason fails the test, and the rest (the other region getting through) is still checked.
    expect
      .soft(await text(refused, 'caller-status'))
      .toBe('ended: refused: 503 Service Unavailable - region limit reached');
    expect.soft(refusedCall.endCode).toBe(503);
    expect(await decisionsOf(sip.xiamen.centre, refusedCall.sipCallId, 1)).toMatchObject([
      { decision: 'reject', reason: 'region_limit', region: 'xiamen', sipCode: 503 },
    ]);
    expect(await status(second, 'agent-call-status')).toBe('none');

    // A Zhangzhou customer (another region of Xiamen's) gets through to the free agent meanwhile.
    const other = await callerPhone(sip.xiamen, '05962000013');
    await other.getByTestId('caller-call').click();
    await poll(() => status(second, 'agent-call-status')).toBe('ringing');
    expect(await text(second, 'agent-call-from')).toBe('05962000013');
    await second.getByTestId('agent-answer').click();
    await poll(() => status(other, 'caller-status')).toBe('active');
    await audioBothWays(second, other);
    const otherId = (await current(other))!.sipCallId;
    expect(await decisionsOf(sip.xiamen.centre, otherId, 1)).toMatchObject([
      { decision: 'offer', agentId: 'agent3.xm', region: 'zhangzhou' },
    ]);
    // Both calls at once: the first customer is still talking with agent4.xm.
    expect(await status(talking, 'caller-status')).toBe('active');
    const before = await packetsIn(talking);
    await poll(async () => (await packetsIn(talking)) - before).toBeGreaterThan(20);

    await talking.getByTestId('caller-hangup').click();
    await other.getByTestId('caller-hangup').click();
    await poll(() => status(first, 'agent-call-status')).toBe('ended');
    await poll(() => status(second, 'agent-call-status')).toBe('ended');
  });

  it("the console answers and transfers the call (blind) to another agent: that agent's phone rings with the customer, answers, and the customer talks with it", async () => {
    const next = await agentPhone(sip.xiamen, 'agent3.xm');
    const agent = await consoleAt('xiamen', 'agent1.xm');
    await agent.getByTestId('agent-state-select').selectOption('ready');
    await poll(() => agent.getByTestId('agent-state').getAttribute('data-state')).toBe('ready');

    const caller = await callerPhone(sip.xiamen, '05922000021');
    await caller.getByTestId('caller-call').click();
    const card = agent.getByTestId('call-card');
    await poll(() => card.getAttribute('data-call-status')).toBe('ringing');
    expect(await text(agent, 'call-remote')).toBe('05922000021');
    await agent.getByTestId('call-answer').click();
    await poll(() => card.getAttribute('data-call-status')).toBe('active');
    await poll(() => status(caller, 'caller-status')).toBe('active');
    const hotlineCall = (await current(caller))!;

    // Blind transfer from the card: agent3.xm's phone rings with the customer's number.
    await agent.getByTestId('call-transfer-target').fill('agent3.xm');
    await agent.getByTestId('call-transfer').click();
    await poll(() => status(next, 'agent-call-status')).toBe('ringing');
    expect(await text(next, 'agent-call-from')).toBe('05922000021');
    await next.getByTestId('agent-answer').click();

    // The console's call ends, saying to whom it went; the customer is on a new call with agent3.xm, audio both ways.
    await poll(() => card.getAttribute('data-call-status')).toBe('ended');
    expect(await text(agent, 'call-ended')).toContain('已转接给 agent3.xm');
    await poll(() => current(caller)).toMatchObject({ status: 'active', remote: 'agent3.xm' });
    expect((await current(caller))!.sipCallId).not.toBe(hotlineCall.sipCallId);
    await audioBothWays(next, caller);
    await screenshot(agent, 'call-routing-console-transferred');

    // The agent wraps the call up as transferred; the centre keeps it with the call.
    await agent.getByTestId('wrap-up-code').selectOption('transferred');
    await agent.getByTestId('wrap-up-submit').click();
    await poll(() => agent.getByTestId('wrap-up').count()).toBe(0);
    const lead = await apiLogin(sip.xiamen.centre, 'lead.xm');
    await eventually(async () => {
      const recent = await api(sip.xiamen.centre, '/api/calls/recent?limit=20', { token: lead });
      const row = (recent.body.calls as { callId: string; agentId?: string; wrapUp?: { code: string } }[]).find(
        (c) => c.callId === hotlineCall.sipCallId,
      );
      return row?.agentId === 'agent1.xm' && row.wrapUp?.code === 'transferred';
    }, 'the wrap-up kept with the hotline call');

    await caller.getByTestId('caller-hangup').click();
    await poll(() => status(next, 'agent-call-status')).toBe('ended');
  });
});
