// When the phone stops waiting for ICE candidates and sends its offer or answer.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ICE_MAX_WAIT_MS, ICE_QUIET_MS, iceSettler } from './ice';

const udpHost = { protocol: 'udp', type: 'host' };
const tcpHost = { protocol: 'tcp', type: 'host' };
const srflx = { protocol: 'udp', type: 'srflx' };

describe('ICE settling', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sends a few ms after the last UDP host candidate, once every interface has given one', () => {
    const done = vi.fn();
    const seen = iceSettler(false, done);
    seen(udpHost); // 127.0.0.1
    vi.advanceTimersByTime(1);
    seen(udpHost); // the LAN address
    vi.advanceTimersByTime(ICE_QUIET_MS - 1);
    expect(done).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(done).toHaveBeenCalledTimes(1);
    seen(tcpHost); // Chromium's TCP candidates, much later: nothing more to do
    vi.advanceTimersByTime(100);
    expect(done).toHaveBeenCalledTimes(1);
  });

  it('never waits longer than the cap after the first, however the candidates trickle in', () => {
    vi.setSystemTime(0);
    let firedAt = -1;
    const seen = iceSettler(false, () => (firedAt = Date.now()));
    while (firedAt < 0 && Date.now() < 100) {
      seen(udpHost); // one every ICE_QUIET_MS - 1: the quiet period alone would never end
      vi.advanceTimersByTime(ICE_QUIET_MS - 1);
    }
    expect(firedAt).toBe(ICE_MAX_WAIT_MS);
  });

  it('ignores TCP candidates, and waits for a reflexive or relayed one when STUN/TURN servers are set', () => {
    const done = vi.fn();
    iceSettler(false, done)(tcpHost);
    vi.advanceTimersByTime(1000);
    expect(done).not.toHaveBeenCalled();
    const seen = iceSettler(true, done);
    seen(udpHost);
    vi.advanceTimersByTime(1000);
    expect(done).not.toHaveBeenCalled();
    seen(srflx);
    vi.advanceTimersByTime(ICE_QUIET_MS);
    expect(done).toHaveBeenCalledTimes(1);
  });

  it('starts over for an ICE restart after it fired', () => {
    const done = vi.fn();
    const seen = iceSettler(false, done);
    seen(udpHost);
    vi.advanceTimersByTime(ICE_MAX_WAIT_MS * 3);
    seen(udpHost);
    vi.advanceTimersByTime(1);
    expect(done).toHaveBeenCalledTimes(1); // not at once: the new round waits its own quiet period
    vi.advanceTimersByTime(ICE_QUIET_MS);
    expect(done).toHaveBeenCalledTimes(2);
  });
});
