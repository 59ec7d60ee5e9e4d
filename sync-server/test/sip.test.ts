// Each centre's SIP server: real Kamailio processes started by real centres (pnpm centre --sip-…), linked twins, a
// softphone over WebSocket and a hotline trunk over UDP (test/sip-client.ts). Who gets a call is the centre's router
// (demo configuration): agents are made ready through the agent API first. test/calls.test.ts tests the routing.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually, freePort, login } from './harness';
import { UdpTrunk, WsPhone, header } from './sip-client';
import {
  api,
  credentials,
  kamailioInstalled,
  routeAnswerFor,
  signOutEveryone,
  sipEvents,
  startSipTwins,
} from './sip-centres';
import type { SipCentre } from './sip-centres';

const SIPP_SCENARIO = resolve(import.meta.dirname, 'sipp/hotline-call.xml');
const sippInstalled = existsSync('/usr/bin/sipp');

/** The agent takes calls: ready through the console's API (its phone must be registered first). */
async function ready(at: SipCentre, user: string): Promise<void> {
  const r = await api(at.centre, '/api/agent/state', { token: await login(at.centre, user), body: { state: 'ready' } });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
}

const TITLE = kamailioInstalled
  ? 'SIP server per centre'
  : 'SIP server per centre (skipped: kamailio is not installed; scripts/bootstrap.sh installs it)';

describe.skipIf(!kamailioInstalled)(TITLE, () => {
  let fuzhou: SipCentre;
  let xiamen: SipCentre;
  const phones: WsPhone[] = [];
  let trunk: UdpTrunk;
  let stopTwins: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ fuzhou, xiamen, stop: stopTwins } = await startSipTwins());
    trunk = await UdpTrunk.open();
  }, 90_000);

  afterEach(async () => {
    await Promise.all([signOutEveryone(fuzhou, 'lead.fz'), signOutEveryone(xiamen, 'lead.xm')]);
  });

  afterAll(async () => {
    for (const p of phones) p.close();
    trunk?.close();
    await stopTwins?.();
  });

  async function phone(at: SipCentre): Promise<WsPhone> {
    const p = await WsPhone.connect(at.ws);
    phones.push(p);
    return p;
  }

  it('issues SIP credentials to signed-in agents only, naming both centres', async () => {
    const c = await credentials(fuzhou.centre, 'agent1.fz');
    expect(c.aor).toBe('agent1.fz');
    expect(c.username).toMatch(/^\d+:agent1\.fz$/);
    expect(c.servers).toEqual([
      { centre: 'fuzhou', wsUrl: fuzhou.ws },
      { centre: 'xiamen', wsUrl: xiamen.ws },
    ]);
    const anonymous = await fetch(`${fuzhou.centre.http}/api/sip/credentials`, { method: 'POST' });
    expect(anonymous.status).toBe(401);
    const dispatcher = await fetch(`${fuzhou.centre.http}/api/sip/credentials`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await login(fuzhou.centre, 'disp.fuzhou-gulou')}` },
    });
    expect(dispatcher.status).toBe(403);
  });

  it('refuses a wrong password and credentials for another user; accepts the right ones, at either centre', async () => {
    const c = await credentials(fuzhou.centre, 'agent2.fz');
    const p = await phone(fuzhou);
    const wrong = await p.register('agent2.fz', c.username, `${c.password}x`);
    expect([401, 403]).toContain(wrong.status);
    const someoneElse = await p.register('agent3.fz', c.username, c.password);
    expect(someoneElse.status).toBe(403);
    expect(sipEvents(fuzhou.centre).filter((e) => e.event === 'registration')).toEqual([]);

    const ok = await p.register('agent2.fz', c.username, c.password);
    expect(ok.status).toBe(200);
    await fuzhou.centre.waitForLog(
      (l) => l.msg === 'sip event' && (l.sipEvent as { user?: string }).user === 'agent2.fz',
      5000,
    );
    // The same credentials at the twin (what a softphone does when its centre fails).
    const twin = await phone(xiamen);
    expect((await twin.register('agent2.fz', c.username, c.password)).status).toBe(200);
    expect((await twin.register('agent2.fz', c.username, c.password, 0)).status).toBe(200);
    expect((await p.register('agent2.fz', c.username, c.password, 0)).status).toBe(200);
    await eventually(
      () => sipEvents(fuzhou.centre).some((e) => e.user === 'agent2.fz' && e.contacts === 0),
      'unregistration reported',
    );
  });

  it('routes a hotline call from the trunk to the registered agent the centre picks', async () => {
    const c = await credentials(fuzhou.centre, 'agent.fz');
    const p = await phone(fuzhou);
    expect((await p.register('agent.fz', c.username, c.password)).status).toBe(200);
    await eventually(() => sipEvents(fuzhou.centre).some((e) => e.user === 'agent.fz'), 'registration reported');
    await ready(fuzhou, 'agent.fz');

    const call = trunk.call(fuzhou.udp, { caller: '05912123456', dialled: '95598*3' });
    const invite = await p.waitForInvite();
    expect(header(invite, 'from')).toContain('sip:05912123456@');
    const answered = await call.final;
    expect(answered.status).toBe(200);
    expect(call.responses.some((r) => r.status === 180)).toBe(true);
    const decision = await routeAnswerFor(fuzhou.centre, call.callId);
    expect(decision).toMatchObject({ digit: '3', fromTwin: false, answer: { action: 'agent', user: 'agent.fz' } });

    expect((await call.hangup()).status).toBe(200);
    await p.inbox.wait((m) => m.method === 'BYE', 'BYE at the agent');
    await eventually(
      () => sipEvents(fuzhou.centre).some((e) => e.callId === call.callId && e.event === 'bye'),
      'bye reported to the centre',
    );
    expect(sipEvents(fuzhou.centre).some((e) => e.callId === call.callId && e.event === 'answered')).toBe(true);
    expect((await p.register('agent.fz', c.username, c.password, 0)).status).toBe(200);
    await eventually(
      () => sipEvents(fuzhou.centre).some((e) => e.user === 'agent.fz' && e.contacts === 0),
      'unregistration reported',
    );
  });

  it('overflows to the twin centre when the centre says so, and the twin agent gets the call', async () => {
    const c = await credentials(xiamen.centre, 'agent.xm');
    const p = await phone(xiamen);
    expect((await p.register('agent.xm', c.username, c.password)).status).toBe(200);
    await eventually(() => sipEvents(xiamen.centre).some((e) => e.user === 'agent.xm'), 'registration reported');
    await ready(xiamen, 'agent.xm');

    const call = trunk.call(fuzhou.udp, { caller: '13800138000', dialled: '95598' });
    const invite = await p.waitForInvite();
    expect(header(invite, 'from')).toContain('sip:13800138000@');
    expect((await call.final).status).toBe(200);
    expect((await routeAnswerFor(fuzhou.centre, call.callId)).answer).toEqual({ action: 'twin' });
    expect(await routeAnswerFor(xiamen.centre, call.callId)).toMatchObject({
      fromTwin: true,
      answer: { action: 'agent', user: 'agent.xm' },
    });
    expect((await call.hangup()).status).toBe(200);
    expect((await p.register('agent.xm', c.username, c.password, 0)).status).toBe(200);
    await eventually(
      () => sipEvents(xiamen.centre).some((e) => e.user === 'agent.xm' && e.contacts === 0),
      'unregistration reported',
    );
  });

  it('refuses the call with the code and reason the centre gives', async () => {
    // Nobody is signed in anywhere: fuzhou overflows to xiamen, which refuses; the caller hears xiamen's answer.
    const call = trunk.call(fuzhou.udp, { caller: '05912345678', dialled: '95598' });
    const final = await call.final;
    expect(final.status).toBe(480);
    expect(final.reason).toBe('Temporarily Unavailable - no agent signed in');
    expect((await routeAnswerFor(xiamen.centre, call.callId)).answer).toEqual({
      action: 'reject',
      code: 480,
      reason: 'Temporarily Unavailable - no agent signed in',
    });
  });

  it.skipIf(!sippInstalled)(
    sippInstalled
      ? 'takes a SIPp trunk call to the hotline'
      : 'takes a SIPp trunk call (skipped: sip-tester not installed)',
    async () => {
      const c = await credentials(fuzhou.centre, 'agent4.fz');
      const p = await phone(fuzhou);
      expect((await p.register('agent4.fz', c.username, c.password)).status).toBe(200);
      await eventually(() => sipEvents(fuzhou.centre).some((e) => e.user === 'agent4.fz'), 'registration reported');
      await ready(fuzhou, 'agent4.fz');
      const sipp = spawn(
        '/usr/bin/sipp',
        [
          '-sf',
          SIPP_SCENARIO,
          '-s',
          '95598*1',
          '-key',
          'caller',
          '05991234567',
          '-i',
          '127.0.0.1',
          '-p',
          String(await freePort()),
          '-m',
          '1',
          '-timeout',
          '10s',
          '-nostdin',
          `127.0.0.1:${fuzhou.udp.port}`,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let output = '';
      sipp.stdout.on('data', (d: Buffer) => (output += d.toString()));
      sipp.stderr.on('data', (d: Buffer) => (output += d.toString()));
      const code = await new Promise<number | null>((r) => sipp.once('exit', r));
      expect(code, output.slice(-2000)).toBe(0);
      const invite = await p.waitForInvite();
      expect(header(invite, 'from')).toContain('sip:05991234567@');
      await p.inbox.wait((m) => m.method === 'BYE', 'BYE at the agent');
      expect((await p.register('agent4.fz', c.username, c.password, 0)).status).toBe(200);
      await eventually(
        () => sipEvents(fuzhou.centre).some((e) => e.user === 'agent4.fz' && e.contacts === 0),
        'unregistration reported',
      );
    },
  );

  it('asks for credentials before relaying any call that is not to the hotline', async () => {
    const call = trunk.call(fuzhou.udp, { caller: '05912345678', dialled: 'agent1.fz' });
    expect((await call.final).status).toBe(407);
  });
});
