// Telephony end to end in Debian's Chromium: real centres with their Kamailio, the simulated customer phone
// (packages/caller, index.html) and the bare agent phone (agent.html), both driving @twinline/softphone (sip.js +
// WebRTC with Chromium's fake microphone). Audio is proved by RTP counters from getStats on both ends.
import { connect as tcpConnect, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallSnapshot, RtpStats, SoftphoneState } from '../packages/softphone/src';
import { freePort } from '../sync-server/test/harness';
import { credentials, kamailioInstalled, startSipTwins } from '../sync-server/test/sip-centres';
import type { SipCentre } from '../sync-server/test/sip-centres';
import { CALLER_DIST, killSip, launchBrowser, makeReady, screenshot, serveStatic } from './stack';

// What the pages expose to tests (packages/caller/src/caller.ts and agent.ts).
type PhoneWindow = {
  twinlineCaller?: { phone: PhoneApi; current(): CallSnapshot | null };
  twinlineAgent?: {
    phone: PhoneApi;
    current(): CallSnapshot | null;
    connectWith(c: unknown, renew?: () => Promise<unknown>): Promise<SoftphoneState>;
  };
};
interface PhoneApi {
  state: SoftphoneState;
  stats(id: string): Promise<RtpStats | null>;
  sendDtmf(id: string, tones: string, via?: string): Promise<string>;
  dial(target: string): Promise<string>;
  answer(id: string): Promise<void>;
  hangup(id: string): Promise<void>;
  consult(id: string, target: string): Promise<string>;
  completeTransfer(id: string, consultId: string): Promise<void>;
  transfer(id: string, target: string): Promise<void>;
  call(id: string): CallSnapshot | null;
  microphoneOf(id: string): string | null;
  checkHealth(reason?: string, reregister?: boolean): Promise<boolean>;
  listDevices(ask?: boolean): Promise<SoftphoneState['devices']>;
  setMicrophone(id: string | null): Promise<void>;
}

/** Polls until the assertion holds (default 10 s). */
const poll = <T>(fn: () => T | Promise<T>, timeout = 10_000) => expect.poll(fn, { timeout, interval: 100 });

const TITLE = kamailioInstalled
  ? 'telephony: softphone and simulated caller through Kamailio'
  : 'telephony (skipped: kamailio is not installed; scripts/bootstrap.sh installs it)';

describe.skipIf(!kamailioInstalled)(TITLE, () => {
  let sip: Awaited<ReturnType<typeof startSipTwins>>;
  let web: Awaited<ReturnType<typeof serveStatic>>;
  let browser: Browser;
  const pages: Page[] = [];

  beforeAll(async () => {
    [sip, web, browser] = await Promise.all([
      startSipTwins({ logLevel: 'info' }),
      serveStatic(CALLER_DIST),
      launchBrowser(),
    ]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await web?.close();
    await sip?.stop();
  });

  async function newPage(name: string): Promise<Page> {
    const page = await browser.newPage({ locale: 'zh-CN' });
    page.on('pageerror', (e) => console.error(`[${name}] ${e.message}`));
    pages.push(page);
    return page;
  }

  /** An agent's bare phone, signed in at `at` and registered there. */
  async function agentPhone(at: SipCentre, user: string, query = ''): Promise<Page> {
    const page = await newPage(user);
    await page.goto(`${web.url}agent.html?centre=${encodeURIComponent(at.centre.http)}${query}`);
    await page.getByTestId('agent-username').fill(user);
    await page.getByTestId('agent-password').fill('Twinline!2026');
    await page.getByTestId('agent-signin').click();
    await poll(() => page.getByTestId('agent-registration').getAttribute('data-state')).toBe('registered');
    return page;
  }

  /** The customer phone with this number, connected to `at`'s SIP server and reachable there. */
  async function callerPhone(at: SipCentre, number: string): Promise<Page> {
    const page = await newPage(`caller ${number}`);
    await page.goto(`${web.url}index.html?ws=${encodeURIComponent(at.ws)}&number=${number}`);
    await poll(() => page.getByTestId('caller-registration').getAttribute('data-state')).toBe('registered');
    return page;
  }

  const side = (page: Page): 'twinlineAgent' | 'twinlineCaller' =>
    page.url().includes('agent.html') ? 'twinlineAgent' : 'twinlineCaller';

  /** The page's current call. */
  function current(page: Page): Promise<CallSnapshot | null> {
    return page.evaluate((k) => (window as unknown as PhoneWindow)[k]!.current(), side(page));
  }

  async function stats(page: Page): Promise<RtpStats> {
    const s = await page.evaluate(async (k) => {
      const w = (window as unknown as PhoneWindow)[k]!;
      const c = w.current();
      return c ? w.phone.stats(c.id) : null;
    }, side(page));
    if (!s) throw new Error('no call with media on this page');
    return s;
  }

  /** How much a counter grows over `ms`. */
  async function growth(page: Page, pick: (s: RtpStats) => number, ms = 1500): Promise<number> {
    const a = pick(await stats(page));
    await page.waitForTimeout(ms);
    return pick(await stats(page)) - a;
  }

  const status = (page: Page, testId: string) => page.getByTestId(testId).getAttribute('data-status');

  async function closePages(...list: Page[]) {
    await Promise.all(list.map((p) => p.close().catch(() => undefined)));
  }

  it('a Xiamen customer calls 95598: the agent rings with the number, answers, audio flows both ways; hold, mute, DTMF, hang-ups', async () => {
    const agent = await agentPhone(sip.xiamen, 'agent1.xm');
    await makeReady(sip.xiamen.centre, 'agent1.xm');
    const caller = await callerPhone(sip.xiamen, '05922123456');

    await caller.getByTestId('caller-call').click();
    await poll(() => status(agent, 'agent-call-status')).toBe('ringing');
    await expect(agent.getByTestId('agent-call-from').textContent()).resolves.toBe('05922123456');
    const ringing = (await current(agent))!;
    expect(ringing).toMatchObject({ direction: 'inbound', remote: '05922123456', centre: 'xiamen' });
    console.log('incoming call headers at the agent:', JSON.stringify(ringing.headers));
    await poll(() => caller.getByTestId('caller-status').textContent()).toBe('ringing 95598');

    await agent.getByTestId('agent-answer').click();
    await poll(() => status(agent, 'agent-call-status')).toBe('active');
    await poll(() => status(caller, 'caller-status')).toBe('active');
    // Audio both ways: more than 50 RTP packets received at each end (20 ms Opus frames: about 2.5 s).
    await poll(async () => (await stats(agent)).inbound.packetsReceived, 15_000).toBeGreaterThan(50);
    await poll(async () => (await stats(caller)).inbound.packetsReceived, 15_000).toBeGreaterThan(50);
    await poll(() => caller.getByTestId('caller-rtp-in').textContent().then(Number)).toBeGreaterThan(50);
    await screenshot(agent, 'telephony-agent-connected');
    await screenshot(caller, 'telephony-caller-connected');

    // Hold: a re-INVITE; the customer's page says so and the customer stops sending to us; resume restores it.
    await agent.getByTestId('agent-hold').click();
    await poll(() => caller.getByTestId('caller-remote-hold').isVisible()).toBe(true);
    await poll(async () => (await current(agent))!.held).toBe(true);
    await agent.waitForTimeout(500);
    expect(await growth(agent, (s) => s.inbound.packetsReceived)).toBeLessThan(5);
    await agent.getByTestId('agent-resume').click();
    await poll(() => caller.getByTestId('caller-remote-hold').isVisible()).toBe(false);
    await poll(() => growth(agent, (s) => s.inbound.packetsReceived, 1000)).toBeGreaterThan(20);

    // Mute: the agent's microphone track is disabled, so the customer hears silence (no audio energy arrives).
    const energy = () => growth(caller, (s) => s.inbound.audioEnergy);
    const heard = await energy();
    expect(heard).toBeGreaterThan(0);
    await agent.getByTestId('agent-mute').click();
    await poll(async () => (await current(agent))!.muted).toBe(true);
    await caller.waitForTimeout(300);
    const muted = await energy();
    console.log(`audio energy reaching the customer over 1.5 s: ${heard} talking, ${muted} muted`);
    expect(muted).toBeLessThan(heard / 50);
    await agent.getByTestId('agent-unmute').click();
    await poll(energy).toBeGreaterThan(heard / 5);

    // DTMF from the keypad as RTP events (RFC 4733; the sender reports each tone played out), and as SIP INFO.
    for (const key of ['1', '2', 'star']) await caller.getByTestId(`caller-key-${key}`).click();
    await poll(() => caller.getByTestId('caller-dtmf-sent').textContent()).toBe('12*');
    const via = await agent.evaluate(async () => {
      const w = (window as unknown as PhoneWindow).twinlineAgent!;
      return w.phone.sendDtmf(w.current()!.id, '45', 'info');
    });
    expect(via).toBe('info');
    await poll(async () => (await current(caller))!.dtmfReceived).toBe('45');

    // The customer hangs up: the agent's phone says so.
    await caller.getByTestId('caller-hangup').click();
    await poll(() => status(agent, 'agent-call-status')).toBe('ended');
    await expect(agent.getByTestId('agent-call-status').textContent()).resolves.toBe(
      'ended: hung up by the other side',
    );
    const ended =
      (await current(caller)) ??
      (await caller.evaluate(() => (window as unknown as PhoneWindow).twinlineCaller!.phone.state.calls.at(-1)!));
    expect(ended.answeredAt).not.toBeNull();
    expect(ended.endedAt! - ended.answeredAt!).toBeGreaterThan(0);

    // Another call; this time the agent hangs up.
    await makeReady(sip.xiamen.centre, 'agent1.xm');
    await caller.getByTestId('caller-call').click();
    await poll(() => status(agent, 'agent-call-status')).toBe('ringing');
    await agent.getByTestId('agent-answer').click();
    await poll(() => status(caller, 'caller-status')).toBe('active');
    await agent.getByTestId('agent-hangup').click();
    await poll(() => caller.getByTestId('caller-status').textContent()).toBe('ended: hung up by the other side');
    await closePages(agent, caller);
  });

  it('an agent calls a customer back: the customer phone rings with the agent, answers, audio flows', async () => {
    const agent = await agentPhone(sip.xiamen, 'agent2.xm');
    const caller = await callerPhone(sip.xiamen, '05925550123');
    await agent.getByTestId('agent-dial-target').fill('0592 555 0123');
    await agent.getByTestId('agent-dial').click();
    await poll(() => status(caller, 'caller-status')).toBe('ringing');
    await expect(caller.getByTestId('caller-status').textContent()).resolves.toBe('incoming call from agent2.xm');
    await caller.getByTestId('caller-answer').click();
    await poll(() => status(agent, 'agent-call-status')).toBe('active');
    await poll(async () => (await stats(agent)).inbound.packetsReceived, 15_000).toBeGreaterThan(50);
    await poll(async () => (await stats(caller)).inbound.packetsReceived, 15_000).toBeGreaterThan(50);
    await agent.getByTestId('agent-hangup').click();
    await poll(() => status(caller, 'caller-status')).toBe('ended');
    await closePages(agent, caller);
  });

  it('blind transfer to another agent, and attended transfer with a consultation call', async () => {
    const first = await agentPhone(sip.xiamen, 'agent.xm');
    const second = await agentPhone(sip.xiamen, 'agent3.xm');
    await makeReady(sip.xiamen.centre, 'agent.xm');
    const caller = await callerPhone(sip.xiamen, '05927770001');
    await caller.getByTestId('caller-call').click();
    await poll(() => status(first, 'agent-call-status'), 20_000).toBe('ringing');
    await first.getByTestId('agent-answer').click();
    await poll(() => status(caller, 'caller-status')).toBe('active');

    // Blind: REFER to agent3.xm; the customer's phone calls agent3.xm, whose phone rings with the customer's number.
    await first.getByTestId('agent-transfer-target').fill('agent3.xm');
    await first.getByTestId('agent-transfer').click();
    await poll(() => status(second, 'agent-call-status')).toBe('ringing');
    await expect(second.getByTestId('agent-call-from').textContent()).resolves.toBe('05927770001');
    await second.getByTestId('agent-answer').click();
    await poll(() => status(first, 'agent-call-status')).toBe('ended');
    expect(
      (await first.evaluate(() => (window as unknown as PhoneWindow).twinlineAgent!.phone.state.calls.at(-1)))!
        .endReason,
    ).toBe('transferred to agent3.xm');
    await poll(async () => (await stats(second)).inbound.packetsReceived, 15_000).toBeGreaterThan(50);

    // Attended: agent3.xm consults agent.xm, then hands the customer over (REFER with Replaces).
    const consultId = await second.evaluate(async () => {
      const w = (window as unknown as PhoneWindow).twinlineAgent!;
      return w.phone.consult(w.current()!.id, 'agent.xm');
    });
    await poll(() => status(first, 'agent-call-status')).toBe('ringing');
    await expect(first.getByTestId('agent-call-from').textContent()).resolves.toBe('agent3.xm');
    await first.getByTestId('agent-answer').click();
    await poll(() =>
      second.evaluate((id) => (window as unknown as PhoneWindow).twinlineAgent!.phone.call(id)?.status, consultId),
    ).toBe('active');
    await second.evaluate(async (id) => {
      const w = (window as unknown as PhoneWindow).twinlineAgent!;
      const held = w.phone.state.calls.find((c) => c.status === 'active' && c.held)!;
      await w.phone.completeTransfer(held.id, id);
    }, consultId);
    // agent3.xm has no call left; agent.xm talks with the customer on a call that replaced the consultation.
    await expect
      .poll(() =>
        second.evaluate(
          () =>
            (window as unknown as PhoneWindow).twinlineAgent!.phone.state.calls.filter((c) => c.status !== 'ended')
              .length,
        ),
      )
      .toBe(0);
    const handed = await first.evaluate(() =>
      (window as unknown as PhoneWindow).twinlineAgent!.phone.state.calls.find((c) => c.status === 'active'),
    );
    expect(handed).toMatchObject({ remote: '05927770001' });
    expect(handed!.replaces).not.toBeNull();
    await poll(async () => (await stats(first)).inbound.packetsReceived, 15_000).toBeGreaterThan(50);
    await poll(async () => growth(caller, (s) => s.inbound.packetsReceived, 1000)).toBeGreaterThan(20);
    await caller.getByTestId('caller-hangup').click();
    await poll(() => status(first, 'agent-call-status')).toBe('ended');
    await closePages(first, second, caller);
  });

  it('the agent refuses a ringing call (486): its phone says so and the customer is not connected to it', async () => {
    const agent = await agentPhone(sip.xiamen, 'agent1.xm');
    await makeReady(sip.xiamen.centre, 'agent1.xm');
    const caller = await callerPhone(sip.xiamen, '05926660001');
    await caller.getByTestId('caller-call').click();
    await poll(() => status(agent, 'agent-call-status'), 20_000).toBe('ringing');
    await agent.getByTestId('agent-reject').click();
    await poll(() => agent.getByTestId('agent-call-status').textContent()).toBe('ended: rejected here: busy');
    const refused = await agent.evaluate(() =>
      (window as unknown as PhoneWindow).twinlineAgent!.phone.state.calls.at(-1)!,
    );
    expect(refused.endCode).toBe(486);
    // The centre may offer the call elsewhere or queue it; this agent is not talking to the customer.
    expect(await status(caller, 'caller-status')).not.toBe('active');
    await caller.getByTestId('caller-hangup').click();
    await poll(() => status(caller, 'caller-status')).toBe('ended');
    await closePages(agent, caller);
  });

  it('transfers a caller to the twin centre: the call goes to a ready agent there', async () => {
    const here = await agentPhone(sip.xiamen, 'agent.xm');
    const there = await agentPhone(sip.fuzhou, 'agent.fz');
    await makeReady(sip.xiamen.centre, 'agent.xm');
    await makeReady(sip.fuzhou.centre, 'agent.fz');
    const caller = await callerPhone(sip.xiamen, '05928880001');
    await caller.getByTestId('caller-call').click();
    await poll(() => status(here, 'agent-call-status'), 20_000).toBe('ringing');
    await here.getByTestId('agent-answer').click();
    await poll(() => status(caller, 'caller-status')).toBe('active');
    await here.getByTestId('agent-transfer-twin').click();
    await poll(() => status(there, 'agent-call-status'), 20_000).toBe('ringing');
    await expect(there.getByTestId('agent-call-from').textContent()).resolves.toBe('05928880001');
    await there.getByTestId('agent-answer').click();
    await poll(() => status(here, 'agent-call-status')).toBe('ended');
    await poll(async () => (await stats(there)).inbound.packetsReceived, 15_000).toBeGreaterThan(50);
    await there.getByTestId('agent-hangup').click();
    await poll(() => status(caller, 'caller-status')).toBe('ended');
    await closePages(here, there, caller);
  });

  it('changes the microphone during a call without dropping it, and falls back when it is unplugged', async () => {
    const agent = await agentPhone(sip.xiamen, 'agent4.xm');
    const caller = await callerPhone(sip.xiamen, '05923330001');
    await agent.getByTestId('agent-dial-target').fill('05923330001');
    await agent.getByTestId('agent-dial').click();
    await poll(() => status(caller, 'caller-status')).toBe('ringing');
    await caller.getByTestId('caller-answer').click();
    await poll(() => status(agent, 'agent-call-status')).toBe('active');
    const { before, after, mics } = await agent.evaluate(async () => {
      const w = (window as unknown as PhoneWindow).twinlineAgent!;
      const devices = await w.phone.listDevices(true);
      const id = w.current()!.id;
      const before = w.phone.microphoneOf(id);
      const other = devices.microphones.find((m) => m.label !== before) ?? devices.microphones[0]!;
      await w.phone.setMicrophone(other.deviceId);
      return { before, after: w.phone.microphoneOf(id), mics: devices.microphones.map((m) => m.label) };
    });
    console.log('microphones:', mics, 'switched', before, '→', after);
    expect(mics.length).toBeGreaterThan(1);
    expect(after).not.toBe(before);
    expect(await status(agent, 'agent-call-status')).toBe('active');
    await poll(() => growth(caller, (s) => s.inbound.packetsReceived, 1000)).toBeGreaterThan(20);

    // The chosen microphone disappears (a headset unplugged): the call falls back to the default one and says so.
    // Chromium's fake devices cannot be unplugged, so the device list is made to lose it.
    await agent.evaluate((gone) => {
      const md = navigator.mediaDevices;
      const real = md.enumerateDevices.bind(md);
      md.enumerateDevices = async () => (await real()).filter((d) => d.label !== gone);
      md.dispatchEvent(new Event('devicechange'));
    }, after);
    await poll(() => agent.getByTestId('agent-device-notice').textContent()).toBe(
      `The microphone “${after}” was disconnected: using the default microphone.`,
    );
    await poll(() =>
      agent.evaluate(() => {
        const w = (window as unknown as PhoneWindow).twinlineAgent!;
        return w.phone.microphoneOf(w.current()!.id);
      }),
    ).toBe(before);
    expect(await status(agent, 'agent-call-status')).toBe('active');
    await poll(() => growth(caller, (s) => s.inbound.packetsReceived, 1000)).toBeGreaterThan(20);
    await agent.getByTestId('agent-hangup').click();
    await closePages(agent, caller);
  });

  it('a wrong password leaves the phone "failed" with the reason, not pretending to be registered', async () => {
    const creds = await credentials(sip.xiamen.centre, 'agent5.xm');
    const page = await newPage('agent5.xm wrong password');
    await page.goto(`${web.url}agent.html`);
    const state = await page.evaluate((c) => (window as unknown as PhoneWindow).twinlineAgent!.connectWith(c), {
      ...creds,
      password: `${creds.password}x`,
    });
    expect(state.registration).toBe('failed');
    expect(state.lastError).toMatch(/refused the password \(401/);
    await expect(page.getByTestId('agent-registration').textContent()).resolves.toBe('failed');
    await expect(page.getByTestId('agent-error').textContent()).resolves.toMatch(/refused the password/);
    await closePages(page);
  });

  it('asks the app for fresh credentials before they expire, and after the server refused stale ones', async () => {
    const page = await newPage('agent5.xm renewal');
    await page.goto(`${web.url}agent.html`);
    let renewals = 0;
    await page.exposeFunction('renewCredentials', async () => {
      renewals++;
      return credentials(sip.xiamen.centre, 'agent5.xm');
    });
    const fresh = await credentials(sip.xiamen.centre, 'agent5.xm');
    // Credentials that (say they) expire in 8 s: the phone renews them about 5 s from now, through the app.
    const soon = { ...fresh, expires: new Date(Date.now() + 8_000).toISOString() };
    const first = await page.evaluate(
      (c) =>
        (window as unknown as PhoneWindow).twinlineAgent!.connectWith(c, () =>
          (window as unknown as { renewCredentials(): Promise<unknown> }).renewCredentials(),
        ),
      soon,
    );
    expect(first.registration).toBe('registered');
    await poll(() => renewals, 10_000).toBe(1);
    // Now the centre's own 12-hour credentials.
    const renewed = () =>
      page.evaluate(() => Date.parse((window as unknown as PhoneWindow).twinlineAgent!.phone.state.credentialsExpire!));
    await poll(renewed).toBeGreaterThan(Date.now() + 3600_000);
    expect(await page.getByTestId('agent-registration').getAttribute('data-state')).toBe('registered');
    // Refused credentials (revoked, or a stale password): the phone asks the app once and registers with the new ones.
    const refused = await page.evaluate(
      (c) =>
        (window as unknown as PhoneWindow).twinlineAgent!.connectWith(c, () =>
          (window as unknown as { renewCredentials(): Promise<unknown> }).renewCredentials(),
        ),
      { ...fresh, password: `${fresh.password}x` },
    );
    expect(refused.registration).toBe('failed');
    await poll(() => page.getByTestId('agent-registration').getAttribute('data-state')).toBe('registered');
    expect(renewals).toBe(2);
    await closePages(page);
  });

  it('network offline and back: unregistered while offline, registered again within seconds', async () => {
    const agent = await agentPhone(sip.xiamen, 'agent6.xm');
    await agent.context().setOffline(true);
    await poll(() => agent.getByTestId('agent-registration').getAttribute('data-state')).toBe('unregistered');
    await expect(agent.getByTestId('agent-error').textContent()).resolves.toMatch(/offline/);
    const back = Date.now();
    await agent.context().setOffline(false);
    await poll(() => agent.getByTestId('agent-registration').getAttribute('data-state')).toBe('registered');
    expect(Date.now() - back).toBeLessThan(5_000);
    // What the phone does after the machine slept: a keep-alive round trip, then REGISTER again.
    const healthy = await agent.evaluate(() =>
      (window as unknown as PhoneWindow).twinlineAgent!.phone.checkHealth('woke after 60 s', true),
    );
    expect(healthy).toBe(true);
    await closePages(agent);
  });

  it('a silently dead connection (no FIN, no answers) is noticed by keep-alives: to the twin, and home again when it heals', async () => {
    const proxy = await freezableProxy(Number(new URL(sip.xiamen.ws).port));
    try {
      const creds = await credentials(sip.xiamen.centre, 'lead.xm');
      const servers = creds.servers;
      const page = await newPage('lead.xm');
      await page.goto(`${web.url}agent.html?ping=1000&failback=1500`);
      const viaProxy = { ...creds, servers: [{ centre: 'xiamen', wsUrl: `ws://127.0.0.1:${proxy.port}` }, servers[1]] };
      const state = await page.evaluate(
        (c) => (window as unknown as PhoneWindow).twinlineAgent!.connectWith(c),
        viaProxy,
      );
      expect(state).toMatchObject({ registration: 'registered', server: { centre: 'xiamen', home: true } });
      const frozen = Date.now();
      proxy.freeze();
      await poll(() => page.getByTestId('agent-server').textContent(), 15_000).toBe('fuzhou (twin)');
      await poll(() => page.getByTestId('agent-registration').getAttribute('data-state')).toBe('registered');
      console.log(`silent failure noticed and re-registered at the twin in ${Date.now() - frozen} ms`);
      expect(Date.now() - frozen).toBeLessThan(8_000);
      await expect(page.getByTestId('agent-error').textContent()).resolves.toMatch(/keep-alive|did not answer/);
      // The link heals: idle on the twin, the phone probes home, registers there, then leaves the twin.
      proxy.thaw();
      await poll(() => page.getByTestId('agent-server').textContent(), 15_000).toBe('xiamen (home)');
      await poll(() => page.getByTestId('agent-registration').getAttribute('data-state')).toBe('registered');
      await closePages(page);
    } finally {
      await proxy.close();
    }
  });

  // Last: it kills Xiamen's SIP server.
  it("the home centre's SIP server dies mid-shift: the phone registers with the twin within seconds and says so", async () => {
    const agent = await agentPhone(sip.xiamen, 'agent1.xm');
    await expect(agent.getByTestId('agent-server').textContent()).resolves.toBe('xiamen (home)');
    const killed = Date.now();
    killSip(sip.xiamen.centre);
    await poll(() => agent.getByTestId('agent-server').textContent(), 10_000).toBe('fuzhou (twin)');
    await poll(() => agent.getByTestId('agent-registration').getAttribute('data-state')).toBe('registered');
    const took = Date.now() - killed;
    console.log(`registered with the twin ${took} ms after the home SIP server was killed`);
    expect(took).toBeLessThan(5_000);
    await expect(agent.getByTestId('agent-error').textContent()).resolves.toMatch(
      /lost the connection to the SIP server of xiamen/,
    );
    await screenshot(agent, 'telephony-agent-failed-over');

    // Still useful at the twin: a callback to a customer whose phone is on Fuzhou's SIP server.
    const caller = await callerPhone(sip.fuzhou, '05912220001');
    await agent.getByTestId('agent-dial-target').fill('05912220001');
    await agent.getByTestId('agent-dial').click();
    await poll(() => status(caller, 'caller-status')).toBe('ringing');
    await caller.getByTestId('caller-answer').click();
    await poll(async () => (await stats(agent)).inbound.packetsReceived, 15_000).toBeGreaterThan(50);
    await agent.getByTestId('agent-hangup').click();
    await closePages(agent, caller);
  });
});

/** A TCP relay that can stop relaying without closing anything: a connection gone silent (sleep, network change). */
async function freezableProxy(
  target: number,
): Promise<{ port: number; freeze(): void; thaw(): void; close(): Promise<void> }> {
  const port = await freePort();
  let frozen = false;
  const sockets = new Set<Socket>();
  const server: Server = createServer((inbound) => {
    const outbound = tcpConnect(target, '127.0.0.1');
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on('error', () => s.destroy());
      s.on('close', () => sockets.delete(s));
    }
    inbound.on('data', (d) => frozen || outbound.write(d));
    outbound.on('data', (d) => frozen || inbound.write(d));
    inbound.on('close', () => outbound.destroy());
    outbound.on('close', () => inbound.destroy());
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  return {
    port,
    freeze: () => void (frozen = true),
    /** Relays again; connections that went silent stay dead (their peers gave up on them). */
    thaw: () => {
      for (const s of sockets) s.destroy();
      frozen = false;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
