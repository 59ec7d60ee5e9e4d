// The routing hook under a slow decision (a queued call): a real Kamailio asking an in-process /sip/route endpoint
// whose decide() the test controls. The caller must hear ringing at once, SIP workers must not wait for the
// centre, a hang-up must free the pending decision, and a bad answer must not leave the caller hanging.
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/log';
import { findKamailio, startKamailio } from '../src/sip/kamailio';
import type { KamailioProcess } from '../src/sip/kamailio';
import { createSipEndpoint } from '../src/sip/route-endpoint';
import type { Decide } from '../src/sip/route-endpoint';
import { ephemeralCredentials } from '../src/sip/credentials';
import type { RouteAnswer, RouteRequest, SipEvent } from '../src/sip/contract';
import { HttpError, sendJson } from '../src/http';
import { eventually, freePort } from './harness';
import { UdpTrunk, WsPhone, header } from './sip-client';

const kamailioInstalled = (() => {
  try {
    findKamailio();
    return true;
  } catch {
    return false;
  }
})();

const SECRET = 'queue-test-sip-secret';
const API_KEY = 'queue-test-api-key';

describe.skipIf(!kamailioInstalled)(
  kamailioInstalled
    ? 'hotline calls waiting for a decision'
    : 'hotline calls waiting (skipped: kamailio not installed)',
  () => {
    let server: Server;
    let kamailio: KamailioProcess;
    let trunk: UdpTrunk;
    let phone: WsPhone;
    let phone2: WsPhone;
    let decide: Decide = async () => ({ action: 'reject', code: 480, reason: 'Not Set' });
    const requests: { request: RouteRequest; signal: AbortSignal }[] = [];
    const events: SipEvent[] = [];
    const log = createLogger('queue-test', process.env.SIPLOG ?? 'silent');

    beforeAll(async () => {
      const endpoint = createSipEndpoint({
        apiKey: API_KEY,
        log,
        decide: (request, ctx) => {
          requests.push({ request, signal: ctx.signal });
          return decide(request, ctx);
        },
        onEvent: (e) => events.push(e),
        decideTimeoutMs: 20_000,
      });
      server = createServer((req, res) => {
        endpoint.handle(req, res, new URL(req.url ?? '/', 'http://centre')).then(
          (handled) => handled || sendJson(res, 404, { error: 'no route' }),
          (error: unknown) => sendJson(res, error instanceof HttpError ? error.status : 500, { error: String(error) }),
        );
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      const [wsPort, udpPort] = [await freePort(), await freePort()];
      kamailio = await startKamailio({
        centre: 'fuzhou',
        httpPort: (server.address() as { port: number }).port,
        wsPort,
        udpPort,
        domain: 'hotline.twinline',
        hotline: '95598',
        sipSecret: SECRET,
        apiKey: API_KEY,
        // Fewer workers than the calls queued below: calls beyond them must still ring at once.
        asyncWorkers: 2,
        log,
      });
      trunk = await UdpTrunk.open();
      phone = await WsPhone.connect(kamailio.wsUrl);
      const c = ephemeralCredentials(SECRET, 'agent.fz', 600);
      expect((await phone.register('agent.fz', c.username, c.password)).status).toBe(200);
      phone2 = await WsPhone.connect(kamailio.wsUrl);
      const c2 = ephemeralCredentials(SECRET, 'agent2.fz', 600);
      expect((await phone2.register('agent2.fz', c2.username, c2.password)).status).toBe(200);
    }, 30_000);

    afterAll(async () => {
      phone?.close();
      phone2?.close();
      trunk?.close();
      await kamailio?.stop();
      await new Promise((r) => server?.close(r));
    });

    it('rings every caller at once while the centre decides, more calls than async workers', async () => {
      let release: () => void = () => {};
      const released = new Promise<void>((r) => (release = r));
      decide = async (): Promise<RouteAnswer> => {
        await released;
        return { action: 'reject', code: 486, reason: 'Busy Here' };
      };
      const calls = Array.from({ length: 5 }, (_, i) =>
        trunk.call(kamailio.udp, { caller: `0591000000${i}`, dialled: '95598' }),
      );
      const t0 = Date.now();
      await Promise.all(calls.map((c) => c.waitFor(180, 2000)));
      expect(Date.now() - t0).toBeLessThan(2000);
      release();
      for (const c of calls) expect((await c.final).status).toBe(486);
    });

    it('relays a call held longer than a SIP transaction timer once the decision names an agent', async () => {
      decide = async () => {
        await new Promise((r) => setTimeout(r, 6000));
        return { action: 'agent', user: 'agent.fz' };
      };
      const t0 = Date.now();
      const call = trunk.call(kamailio.udp, {
        caller: '05911112222',
        dialled: '95598',
        headers: [['X-Twinline-Digit', '2']],
      });
      await call.waitFor(180, 1000);
      await phone.waitForInvite(10_000);
      expect((await call.final).status).toBe(200);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(6000);
      expect(requests.at(-1)?.request).toMatchObject({ caller: '05911112222', digit: '2', fromTwin: false });
      expect((await call.hangup()).status).toBe(200);
    });

    const asked = (callId: string) => requests.filter((r) => r.request.callId === callId).map((r) => r.request);

    it('an agent who declines: the centre is asked again and the next agent gets the call, the caller hears only ringing', async () => {
      decide = async (req) => ({ action: 'agent', user: req.retry ? 'agent2.fz' : 'agent.fz' });
      phone.answer = { code: 486, reason: 'Busy Here' };
      const call = trunk.call(kamailio.udp, { caller: '05917778888', dialled: '95598' });
      await phone2.inbox.wait((m) => m.method === 'INVITE' && header(m, 'call-id') === call.callId, 'INVITE at B');
      expect((await call.final).status).toBe(200);
      expect(call.responses.filter((r) => (r.status ?? 0) >= 300)).toEqual([]);
      expect(asked(call.callId)).toMatchObject([
        { attempt: 1 },
        { attempt: 2, retry: true, failedUser: 'agent.fz', failedCode: 486 },
      ]);
      await eventually(
        () => events.some((e) => 'callId' in e && e.callId === call.callId && e.event === 'answered'),
        'answered event',
      );
      expect(events.find((e) => 'callId' in e && e.callId === call.callId && e.event === 'answered')).toMatchObject({
        user: 'agent2.fz',
      });
      expect((await call.hangup()).status).toBe(200);
      phone.answer = 'answer';
    });

    it('a phone that rings out or is not registered: asked again with the code; the centre may then refuse', async () => {
      phone.answer = 'ring';
      decide = async (req) =>
        !req.retry
          ? { action: 'agent', user: 'nobody.fz' }
          : req.failedUser === 'nobody.fz'
            ? { action: 'agent', user: 'agent.fz', ringMs: 1500 }
            : { action: 'reject', code: 486, reason: 'Busy Here - all agents busy' };
      const t0 = Date.now();
      const call = trunk.call(kamailio.udp, { caller: '05917778889', dialled: '95598*2' });
      const final = await call.final;
      expect([final.status, final.reason]).toEqual([486, 'Busy Here - all agents busy']);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(1300);
      expect(asked(call.callId)).toMatchObject([
        { attempt: 1 },
        { attempt: 2, retry: true, failedUser: 'nobody.fz', failedCode: 480, dialled: '95598*2', digit: '2' },
        { attempt: 3, retry: true, failedUser: 'agent.fz', failedCode: 408 },
      ]);
      phone.answer = 'answer';
    });

    it('asks at most six times per call, then refuses 480 and tells the centre', async () => {
      decide = async () => ({ action: 'agent', user: 'agent.fz' });
      phone.answer = { code: 603, reason: 'Decline' };
      const call = trunk.call(kamailio.udp, { caller: '05917778890', dialled: '95598' });
      const final = await call.final;
      expect([final.status, final.reason]).toEqual([480, 'No Agent Answered']);
      expect(asked(call.callId)).toHaveLength(6);
      await eventually(
        () =>
          events.some(
            (e) =>
              'callId' in e &&
              e.callId === call.callId &&
              e.event === 'failed' &&
              e.code === 603 &&
              e.user === 'agent.fz',
          ),
        'failed event with the agent and the code',
      );
      phone.answer = 'answer';
    });

    it('an agent who lets it ring until the caller gives up: the caller hears 487, the centre hears cancel', async () => {
      decide = async () => ({ action: 'agent', user: 'agent.fz' });
      phone.answer = 'ring';
      const abandoned = trunk.call(kamailio.udp, { caller: '05917779999', dialled: '95598' });
      await phone.inbox.wait((m) => m.method === 'INVITE' && header(m, 'call-id') === abandoned.callId, 'the INVITE');
      await eventually(() => abandoned.responses.filter((r) => r.status === 180).length >= 2, "the agent's ringing");
      abandoned.cancel();
      expect((await abandoned.final).status).toBe(487);
      await phone.inbox.wait((m) => m.method === 'CANCEL' && header(m, 'call-id') === abandoned.callId, 'CANCEL');
      await eventually(
        () => events.some((e) => 'callId' in e && e.callId === abandoned.callId && e.event === 'cancel'),
        'cancel event',
      );
      phone.answer = 'answer';
    });

    it('the agent hangs up: the caller gets the BYE, the centre hears of it', async () => {
      decide = async () => ({ action: 'agent', user: 'agent.fz' });
      const call = trunk.call(kamailio.udp, { caller: '05916660000', dialled: '95598' });
      expect((await call.final).status).toBe(200);
      expect((await phone.hangup(call.callId)).status).toBe(200);
      await trunk.inbox.wait((m) => m.method === 'BYE' && header(m, 'call-id') === call.callId, 'BYE at the caller');
      await eventually(
        () => events.some((e) => 'callId' in e && e.callId === call.callId && e.event === 'bye'),
        'bye event',
      );
    });

    it('a caller who hangs up while waiting frees the decision and hears 487', async () => {
      decide = (_req, { signal }) =>
        new Promise((resolve) =>
          signal.addEventListener('abort', () => resolve({ action: 'agent', user: 'agent.fz' }), { once: true }),
        );
      const call = trunk.call(kamailio.udp, { caller: '05913334444', dialled: '95598' });
      await call.waitFor(180, 1000);
      await eventually(() => requests.some((r) => r.request.callId === call.callId), 'the centre is asked');
      call.cancel();
      expect((await call.final).status).toBe(487);
      expect(requests.find((r) => r.request.callId === call.callId)?.signal.aborted).toBe(true);
      await eventually(
        () => events.some((e) => 'callId' in e && e.callId === call.callId && e.event === 'cancel'),
        'cancel event',
      );
    });

    it('answers 503 when the centre fails to decide, instead of leaving the caller ringing', async () => {
      decide = async () => ({ action: 'agent', user: 'not a sip user!' }) as RouteAnswer;
      const bad = trunk.call(kamailio.udp, { caller: '05915556666', dialled: '95598' });
      expect((await bad.final).status).toBe(503);
      decide = async () => {
        throw new Error('router crashed');
      };
      const crashed = trunk.call(kamailio.udp, { caller: '05915556667', dialled: '95598' });
      expect((await crashed.final).status).toBe(503);
    });

    it('only the SIP server with the key may ask', async () => {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/sip/route`;
      const body = JSON.stringify({ callId: 'x', centre: 'fuzhou', caller: '1', dialled: '95598', fromTwin: false });
      expect((await fetch(url, { method: 'POST', body })).status).toBe(401);
      const auth = `Basic ${Buffer.from(`kamailio:${API_KEY}`).toString('base64')}`;
      const bad = await fetch(url, { method: 'POST', body: '{"callId":1}', headers: { authorization: auth } });
      expect(bad.status).toBe(400);
    });
  },
);
