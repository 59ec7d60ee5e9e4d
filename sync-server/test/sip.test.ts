// Each centre's SIP server: real Kamailio processes started by real centres (pnpm centre --sip-…), a softphone over
// WebSocket and a hotline trunk over UDP (test/sip-client.ts).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findKamailio } from '../src/sip/kamailio';
import { SipCredentialsSchema } from '../src/sip/contract';
import type { SipCredentials } from '../src/sip/contract';
import { eventually, freePort, login, startCentreProcess } from './harness';
import type { CentreProcess } from './harness';
import { UdpTrunk, WsPhone, header } from './sip-client';

const SIPP_SCENARIO = resolve(import.meta.dirname, 'sipp/hotline-call.xml');
const sippInstalled = existsSync('/usr/bin/sipp');

const kamailioInstalled = (() => {
  try {
    findKamailio();
    return true;
  } catch {
    return false;
  }
})();

interface SipCentre {
  centre: CentreProcess;
  ws: string;
  udp: { host: string; port: number };
}

async function credentials(c: CentreProcess, user: string): Promise<SipCredentials> {
  const res = await fetch(`${c.http}/api/sip/credentials`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await login(c, user)}` },
  });
  expect(res.status).toBe(200);
  return SipCredentialsSchema.parse(await res.json());
}

const routeAnswers = (c: CentreProcess) =>
  c.logs.filter((l) => l.msg === 'sip route') as {
    callId: string;
    answer: unknown;
    fromTwin: boolean;
    digit?: string;
  }[];
const sipEvents = (c: CentreProcess) =>
  c.logs.filter((l) => l.msg === 'sip event').map((l) => l.sipEvent as Record<string, unknown>);

const TITLE = kamailioInstalled
  ? 'SIP server per centre'
  : 'SIP server per centre (skipped: kamailio is not installed; scripts/bootstrap.sh installs it)';

describe.skipIf(!kamailioInstalled)(TITLE, () => {
  let fuzhou: SipCentre;
  let xiamen: SipCentre;
  const phones: WsPhone[] = [];
  let trunk: UdpTrunk;

  beforeAll(async () => {
    const [fzWs, fzUdp, xmWs, xmUdp] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const sipFlags = (ws: number, udp: number, twinUdp: number, twinName: string, twinWs: number) => [
      '--sip-ws-port',
      String(ws),
      '--sip-udp-port',
      String(udp),
      '--sip-twin',
      `udp:127.0.0.1:${twinUdp}`,
      '--sip-twin-ws',
      `${twinName}=ws://127.0.0.1:${twinWs}`,
    ];
    const [fz, xm] = await Promise.all([
      startCentreProcess({ name: 'fuzhou', flags: sipFlags(fzWs, fzUdp, xmUdp, 'xiamen', xmWs) }),
      startCentreProcess({ name: 'xiamen', flags: sipFlags(xmWs, xmUdp, fzUdp, 'fuzhou', fzWs) }),
    ]);
    await Promise.all([fz, xm].map((c) => c.waitForLog((l) => l.msg === 'kamailio listening')));
    fuzhou = { centre: fz, ws: `ws://127.0.0.1:${fzWs}`, udp: { host: '127.0.0.1', port: fzUdp } };
    xiamen = { centre: xm, ws: `ws://127.0.0.1:${xmWs}`, udp: { host: '127.0.0.1', port: xmUdp } };
    trunk = await UdpTrunk.open();
  }, 60_000);

  afterAll(async () => {
    for (const p of phones) p.close();
    trunk?.close();
    await Promise.all([fuzhou?.centre.stop(), xiamen?.centre.stop()]);
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

    const call = trunk.call(fuzhou.udp, { caller: '05922123456', dialled: '95598*3' });
    const invite = await p.waitForInvite();
    expect(header(invite, 'from')).toContain('sip:05922123456@');
    const answered = await call.final;
    expect(answered.status).toBe(200);
    expect(call.responses.some((r) => r.status === 180)).toBe(true);
    const decision = routeAnswers(fuzhou.centre).find((r) => r.callId === call.callId);
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

    const call = trunk.call(fuzhou.udp, { caller: '13800138000', dialled: '95598' });
    const invite = await p.waitForInvite();
    expect(header(invite, 'from')).toContain('sip:13800138000@');
    expect((await call.final).status).toBe(200);
    expect(routeAnswers(fuzhou.centre).find((r) => r.callId === call.callId)?.answer).toEqual({ action: 'twin' });
    expect(routeAnswers(xiamen.centre).find((r) => r.callId === call.callId)).toMatchObject({
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
    // Nobody is registered anywhere: fuzhou overflows to xiamen, which refuses; the caller hears xiamen's answer.
    const call = trunk.call(fuzhou.udp, { caller: '05912345678', dialled: '95598' });
    const final = await call.final;
    expect(final.status).toBe(480);
    expect(final.reason).toBe('No Agent Available');
    expect(routeAnswers(xiamen.centre).find((r) => r.callId === call.callId)?.answer).toEqual({
      action: 'reject',
      code: 480,
      reason: 'No Agent Available',
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
      const sipp = spawn(
        '/usr/bin/sipp',
        [
          '-sf',
          SIPP_SCENARIO,
          '-s',
          '95598*2',
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
