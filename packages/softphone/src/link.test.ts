// The link's pure parts: backoff, which server next, the registration state machine, credentials renewal.
import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff';
import { SoftphoneCredentialsSchema, refreshDelayMs } from './credentials';
import { FailoverPolicy } from './failover';
import { INITIAL_LINK, linkReducer } from './link-state';
import type { LinkEvent, LinkState } from './link-state';

const servers = [
  { centre: 'fuzhou', wsUrl: 'ws://127.0.0.1:5480' },
  { centre: 'xiamen', wsUrl: 'ws://127.0.0.1:5482' },
];
const backoff = { baseMs: 1000, maxMs: 30_000 };

describe('backoff', () => {
  it('grows exponentially up to the cap, with the random share within bounds', () => {
    const low = (n: number) => backoffDelay(n, backoff, () => 0);
    const high = (n: number) => backoffDelay(n, backoff, () => 0.999999);
    expect([low(1), low(2), low(3), low(6), low(20)]).toEqual([500, 1000, 2000, 15_000, 15_000]);
    expect([high(1), high(2), high(6)]).toEqual([1000, 2000, 30_000]);
    expect(backoffDelay(0, backoff)).toBe(0);
    expect(backoffDelay(3, { ...backoff, jitter: 0 }, () => 0.7)).toBe(4000);
  });
});

describe('failover policy', () => {
  it('moves from home to the twin at once, and waits only after every server failed since the last success', () => {
    const p = new FailoverPolicy(servers, backoff, () => 0);
    expect(p.current).toMatchObject({ index: 0, home: true, server: servers[0] });
    const first = p.failed();
    expect(first).toMatchObject({ index: 1, delayMs: 0, switched: true, server: servers[1] });
    const second = p.failed(); // the twin failed too: back to home, after a pause
    expect(second).toMatchObject({ index: 0, switched: true });
    expect(second.delayMs).toBeGreaterThan(0);
    const third = p.failed();
    expect(third.delayMs).toBeGreaterThan(second.delayMs);
    p.succeeded();
    expect(p.failed().delayMs).toBe(0);
  });

  it('with one server, retries it with a growing delay', () => {
    const p = new FailoverPolicy([servers[0]!], backoff, () => 0);
    const a = p.failed();
    const b = p.failed();
    expect(a).toMatchObject({ index: 0, switched: false });
    expect(a.delayMs).toBeGreaterThan(0);
    expect(b.delayMs).toBeGreaterThan(a.delayMs);
  });

  it('goes home on request and keeps its place when the server list is renewed', () => {
    const p = new FailoverPolicy(servers, backoff);
    p.failed();
    expect(p.current.server.centre).toBe('xiamen');
    p.setServers([...servers]);
    expect(p.current.server.centre).toBe('xiamen');
    p.home();
    expect(p.current).toMatchObject({ index: 0, home: true });
    expect(() => new FailoverPolicy([], backoff)).toThrow(/no SIP server/);
  });
});

describe('registration state', () => {
  const run = (events: LinkEvent[], from: LinkState = INITIAL_LINK) => events.reduce(linkReducer, from);
  const home = { ...servers[0]!, home: true };
  const twin = { ...servers[1]!, home: false };

  it('goes registering → registered, and never stays registered once the link is lost', () => {
    const up = run([{ type: 'connecting', server: home }, { type: 'connected' }, { type: 'registered', at: 5 }]);
    expect(up).toMatchObject({ registration: 'registered', transport: 'connected', registeredAt: 5, server: home });
    const lost = linkReducer(up, { type: 'lost', reason: 'lost the connection to fuzhou', retryAt: null });
    expect(lost).toMatchObject({ registration: 'unregistered', transport: 'disconnected', registeredAt: null });
    expect(lost.lastError).toBe('lost the connection to fuzhou');
    const moved = run(
      [
        { type: 'connecting', server: twin },
        { type: 'registered', at: 9 },
      ],
      lost,
    );
    // Registered at the twin, and the reason it moved is still there to show.
    expect(moved).toMatchObject({ registration: 'registered', server: { centre: 'xiamen', home: false } });
    expect(moved.lastError).toBe('lost the connection to fuzhou');
  });

  it('a refused password is "failed" with words a person understands, and stays failed across reconnects', () => {
    const refused = run([
      { type: 'connecting', server: home },
      { type: 'connected' },
      { type: 'rejected', code: 401, reason: 'Unauthorized' },
    ]);
    expect(refused.registration).toBe('failed');
    expect(refused.lastError).toMatch(/refused the password \(401 Unauthorized\)/);
    expect(linkReducer(refused, { type: 'lost', reason: 'x', retryAt: null }).registration).toBe('failed');
    expect(run([{ type: 'rejected', code: 403, reason: 'Credentials are for another user' }]).lastError).toMatch(
      /refused these credentials/,
    );
    expect(run([{ type: 'rejected', code: 503, reason: 'Busy' }]).registration).toBe('unregistered');
  });

  it('offline: not registered, says why; online again only flips the flag (the phone then re-registers)', () => {
    const up = run([
      { type: 'connecting', server: home },
      { type: 'registered', at: 1 },
    ]);
    const off = linkReducer(up, { type: 'offline' });
    expect(off).toMatchObject({ online: false, registration: 'unregistered', transport: 'disconnected' });
    expect(off.lastError).toMatch(/offline/);
    expect(linkReducer(off, { type: 'online' })).toMatchObject({ online: true, registration: 'unregistered' });
    expect(linkReducer(up, { type: 'stopped' })).toMatchObject({ registration: 'unregistered', server: null });
  });
});

describe('credentials', () => {
  const valid = {
    username: '1790000000:agent1.fz',
    password: 'c2VjcmV0',
    aor: 'agent1.fz',
    expires: '2026-11-24T12:00:00.000Z',
    domain: 'hotline.twinline',
    hotline: '95598',
    servers,
  };

  it('takes what the centre issues, and the customer phone without a password; refuses nonsense', () => {
    expect(SoftphoneCredentialsSchema.parse(valid).aor).toBe('agent1.fz');
    expect(
      SoftphoneCredentialsSchema.parse({
        aor: '05922123456',
        domain: 'hotline.twinline',
        aorDomain: 'pstn.twinline',
        servers,
      }).password,
    ).toBeUndefined();
    expect(() => SoftphoneCredentialsSchema.parse({ ...valid, servers: [] })).toThrow();
    expect(() => SoftphoneCredentialsSchema.parse({ ...valid, aor: 'a b' })).toThrow();
    expect(() =>
      SoftphoneCredentialsSchema.parse({ ...valid, servers: [{ centre: 'x', wsUrl: 'http://x' }] }),
    ).toThrow();
  });

  it('renews well before expiry, at least a minute before, never sooner than the minimum', () => {
    const now = Date.parse('2026-11-24T00:00:00.000Z');
    const twelveHours = refreshDelayMs('2026-11-24T12:00:00.000Z', now)!;
    expect(twelveHours).toBe(12 * 3600_000 * 0.9);
    expect(refreshDelayMs(new Date(now + 120_000).toISOString(), now)).toBe(60_000);
    expect(refreshDelayMs(new Date(now + 10_000).toISOString(), now)).toBe(5_000);
    expect(refreshDelayMs(new Date(now - 10_000).toISOString(), now)).toBe(5_000);
    expect(refreshDelayMs(undefined, now)).toBeNull();
  });
});
