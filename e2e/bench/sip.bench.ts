// The softphone through Kamailio on loopback, in Debian's Chromium (the real @twinline/softphone in the caller and
// bare agent pages, sip.js + WebRTC with the fake microphone), both centres running:
//  1. registration: connect() to "registered" (WebSocket, REGISTER, 401 challenge, REGISTER with the digest, 200);
//  2. a hotline call: the customer page's INVITE to the agent's phone ringing (Kamailio rings the caller, asks the
//     centre's router, relays), and to Established at the customer (the agent's phone answers at once: its
//     getUserMedia, ICE on loopback and the SDP answer included) — target < 300 ms — and to the first RTP packet;
//  3. failover: the home SIP server killed to the phone registered with the twin (one sample).
import type { Page } from 'playwright-core';
import type { BenchResult } from '../../scripts/bench';
import type { SoftphoneState } from '../../packages/softphone/src';
import { credentials, startSipTwins } from '../../sync-server/test/sip-centres';
import { CALLER_DIST, killSip, launchBrowser, makeReady, serveStatic } from '../stack';
import { pct } from '../../scripts/bench-kit';

const RUNS = 20;

const round = (n: number) => Math.round(n * 10) / 10;

/** The pages' phones, as the bench drives them (packages/caller/src). */
interface BenchPhone {
  state: SoftphoneState;
  connect(c: unknown): Promise<SoftphoneState>;
  disconnect(): Promise<void>;
  dial(target: string): Promise<string>;
  answer(id: string): Promise<void>;
  hangup(id: string): Promise<void>;
  stats(id: string): Promise<{ inbound: { packetsReceived: number } } | null>;
  on(event: string, f: (...a: never[]) => void): () => void;
}
type BenchWindow = {
  twinlineAgent?: { phone: BenchPhone };
  twinlineCaller?: { phone: BenchPhone };
  invitesAt: number[];
  registeredAt: { centre: string; at: number }[];
};

async function waitFor(page: Page, check: () => boolean, what: string, timeout = 15_000): Promise<void> {
  await page.waitForFunction(check, undefined, { timeout, polling: 20 }).catch(() => {
    throw new Error(`timed out waiting for ${what}`);
  });
}

export default async function run(): Promise<BenchResult[]> {
  const [sip, web, browser] = await Promise.all([
    startSipTwins({ logLevel: 'info' }),
    serveStatic(CALLER_DIST),
    launchBrowser(),
  ]);
  try {
    const agent = await browser.newPage();
    await agent.goto(`${web.url}agent.html`);
    const creds = await credentials(sip.xiamen.centre, 'agent1.xm');

    // 1. Registration.
    const register: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const r = await agent.evaluate(async (c) => {
        const phone = (window as unknown as BenchWindow).twinlineAgent!.phone;
        await phone.disconnect();
        const t0 = performance.now();
        const s = await phone.connect(c);
        return { ms: performance.now() - t0, registration: s.registration, error: s.lastError };
      }, creds);
      if (r.registration !== 'registered') throw new Error(`registration ${i}: ${r.registration} ${r.error}`);
      register.push(r.ms);
    }
    // The agent's phone answers every call at once, and notes when each INVITE arrived.
    await agent.evaluate(() => {
      const w = window as unknown as BenchWindow;
      const phone = w.twinlineAgent!.phone;
      w.invitesAt = [];
      w.registeredAt = [];
      phone.on('incoming', (c: { id: string }) => {
        w.invitesAt.push(Date.now());
        void phone.answer(c.id);
      });
      phone.on('registration', (r: string, server: { centre: string } | null) => {
        if (r === 'registered' && server) w.registeredAt.push({ centre: server.centre, at: Date.now() });
      });
    });

    // 2. Hotline calls from a Xiamen number to Xiamen's SIP server.
    const caller = await browser.newPage();
    await caller.goto(`${web.url}index.html?ws=${encodeURIComponent(sip.xiamen.ws)}&number=05922123456`);
    await waitFor(
      caller,
      () => (window as unknown as BenchWindow).twinlineCaller!.phone.state.registration === 'registered',
      'the caller',
    );
    const toRinging: number[] = [];
    const toEstablished: number[] = [];
    const toFirstPacket: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      await makeReady(sip.xiamen.centre, 'agent1.xm'); // ends the last call's after-call work; not timed
      const r = await caller.evaluate(async () => {
        const phone = (window as unknown as BenchWindow).twinlineCaller!.phone;
        const wall = Date.now();
        const t0 = performance.now();
        const id = await phone.dial('95598');
        await new Promise<void>((resolve, reject) => {
          const off = phone.on('call', (c: { id: string; status: string; endReason: string | null }) => {
            if (c.id !== id) return;
            if (c.status === 'active') {
              off();
              resolve();
            }
            if (c.status === 'ended') {
              off();
              reject(new Error(`call ended: ${c.endReason}`));
            }
          });
        });
        const established = performance.now() - t0;
        for (;;) {
          const s = await phone.stats(id);
          if (s && s.inbound.packetsReceived > 0) break;
          await new Promise((r) => setTimeout(r, 10));
        }
        const firstPacket = performance.now() - t0;
        await phone.hangup(id);
        return { wall, established, firstPacket };
      });
      const invitedAt = await agent.evaluate(() => (window as unknown as BenchWindow).invitesAt.at(-1)!);
      toRinging.push(invitedAt - r.wall);
      toEstablished.push(r.established);
      toFirstPacket.push(r.firstPacket);
      await waitFor(
        agent,
        () => (window as unknown as BenchWindow).twinlineAgent!.phone.state.calls.every((c) => c.status === 'ended'),
        'the agent to see the hang-up',
      );
    }

    // 3. The home SIP server dies; the agent's phone moves to the twin.
    const killedAt = Date.now();
    killSip(sip.xiamen.centre);
    await waitFor(
      agent,
      () => (window as unknown as BenchWindow).registeredAt.some((r) => r.centre === 'fuzhou'),
      'failover',
    );
    const failover =
      (await agent.evaluate(
        () => (window as unknown as BenchWindow).registeredAt.find((r) => r.centre === 'fuzhou')!.at,
      )) - killedAt;

    const row = (name: string, xs: number[], p: number, target?: number): BenchResult => ({
      name: `${name}, p${p}`,
      value: round(pct(xs, p)),
      unit: 'ms',
      ...(target ? { target: `< ${target} ms`, met: pct(xs, p) < target } : {}),
    });
    return [
      row('softphone registration (WebSocket, REGISTER, digest challenge, 200) through Kamailio', register, 50),
      row('softphone registration through Kamailio', register, 95),
      row("hotline INVITE from the caller page to the agent's phone ringing (router included)", toRinging, 50),
      row("hotline INVITE to the agent's phone ringing", toRinging, 95),
      row(
        'hotline INVITE to Established at the caller (agent answers at once; WebRTC on loopback)',
        toEstablished,
        50,
        300,
      ),
      {
        ...row('hotline INVITE to Established at the caller', toEstablished, 95, 300),
        note: `${RUNS} calls, Chromium with fake media, both centres on one machine`,
      },
      row('hotline INVITE to the first RTP packet at the caller', toFirstPacket, 95),
      {
        name: 'home SIP server killed to the softphone registered with the twin',
        value: failover,
        unit: 'ms',
        target: '< 5000 ms',
        met: failover < 5000,
        note: 'one sample',
      },
    ];
  } finally {
    await browser.close().catch(() => undefined);
    await web.close();
    await sip.stop();
  }
}
