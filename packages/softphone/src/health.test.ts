// Health detection's pure parts: the wall-clock check that notices a sleep, RTP counters and the quality indicator,
// device fallback, the ring tone, and the emitter that keeps going when a listener throws.
import { describe, expect, it, vi } from 'vitest';
import { devicesOfKind, resolveDevice } from './device-choice';
import { Emitter } from './emitter';
import { quality, summariseStats } from './rtp-stats';
import { ringToneWav } from './ringtone';
import { SleepDetector, sleptFor } from './sleep';

describe('sleep detection', () => {
  it('a timer that fires far later than scheduled means the machine slept', () => {
    expect(sleptFor(0, 2_000, 2_000, 5_000)).toBe(0);
    expect(sleptFor(0, 6_900, 2_000, 5_000)).toBe(0); // a busy or throttled page, not a sleep
    expect(sleptFor(0, 62_000, 2_000, 5_000)).toBe(60_000);
  });

  it('reports each wake once, with how long it was away', () => {
    let now = 1_000;
    let tick: (() => void) | null = null;
    const woke: number[] = [];
    const d = new SleepDetector(
      {
        intervalMs: 2_000,
        thresholdMs: 5_000,
        now: () => now,
        setInterval: (f) => ((tick = f), 1),
        clearInterval: () => (tick = null),
      },
      (ms) => woke.push(ms),
    );
    d.start();
    for (let i = 0; i < 5; i++) {
      now += 2_000;
      tick!();
    }
    now += 3_600_000; // an hour with the lid closed
    tick!();
    now += 2_000;
    tick!();
    expect(woke).toEqual([3_600_000 - 2_000]);
    d.stop();
    expect(tick).toBeNull();
  });
});

describe('RTP statistics', () => {
  const report = (received: number, lost: number, sent: number, jitter = 0.004) => [
    {
      type: 'inbound-rtp',
      kind: 'audio',
      packetsReceived: received,
      packetsLost: lost,
      bytesReceived: received * 80,
      jitter,
      totalAudioEnergy: 0.5,
    },
    { type: 'outbound-rtp', kind: 'audio', packetsSent: sent, bytesSent: sent * 80 },
    { type: 'inbound-rtp', kind: 'video', packetsReceived: 999 },
    { type: 'remote-inbound-rtp', kind: 'audio', roundTripTime: 0.002 },
    { type: 'codec', mimeType: 'audio/opus' },
  ];

  it('sums audio counters per direction and reads jitter and round trip in ms', () => {
    const s = summariseStats(report(120, 0, 118), 42);
    expect(s).toEqual({
      at: 42,
      inbound: { packetsReceived: 120, packetsLost: 0, bytesReceived: 9600, jitterMs: 4, audioEnergy: 0.5 },
      outbound: { packetsSent: 118, bytesSent: 9440 },
      rttMs: 2,
    });
  });

  it('rates the interval between two samples: silent when nothing arrives, poor on loss', () => {
    const a = summariseStats(report(100, 0, 100));
    expect(quality(a, summariseStats(report(200, 0, 200)))).toBe('good');
    expect(quality(a, summariseStats(report(100, 0, 200)))).toBe('silent');
    expect(quality(a, summariseStats(report(190, 10, 200)))).toBe('poor');
    expect(quality(a, summariseStats(report(198, 2, 200)))).toBe('fair');
    expect(quality(a, summariseStats(report(200, 0, 200, 0.09)))).toBe('poor');
    expect(quality(null, summariseStats(report(0, 0, 0)))).toBe('silent');
  });
});

describe('audio devices', () => {
  const list = [
    { kind: 'audioinput', deviceId: 'default', label: 'Default' },
    { kind: 'audioinput', deviceId: 'headset', label: 'USB headset' },
    { kind: 'audioinput', deviceId: 'built-in', label: '' },
    { kind: 'audiooutput', deviceId: 'speaker', label: 'Desk speaker' },
    { kind: 'videoinput', deviceId: 'cam', label: 'Camera' },
  ];

  it('lists one kind without the default aliases, naming unlabeled devices', () => {
    expect(devicesOfKind(list, 'audioinput')).toEqual([
      { deviceId: 'headset', label: 'USB headset' },
      { deviceId: 'built-in', label: 'Microphone 2' },
    ]);
    expect(devicesOfKind(list, 'audiooutput')).toEqual([{ deviceId: 'speaker', label: 'Desk speaker' }]);
  });

  it('uses the chosen device while present and falls back to the default (saying so) when it is unplugged', () => {
    const mics = devicesOfKind(list, 'audioinput');
    expect(resolveDevice('headset', mics)).toEqual({ deviceId: 'headset', fellBack: false });
    expect(
      resolveDevice(
        'headset',
        mics.filter((d) => d.deviceId !== 'headset'),
      ),
    ).toEqual({
      deviceId: '',
      fellBack: true,
    });
    expect(resolveDevice(null, mics)).toEqual({ deviceId: '', fellBack: false });
    expect(resolveDevice('default', [])).toEqual({ deviceId: '', fellBack: false });
  });
});

describe('ring tone', () => {
  it('is a WAV of the ring cadence: 1 s of 450 Hz, then silence', () => {
    const wav = ringToneWav(8000);
    const text = (from: number, n: number) => String.fromCharCode(...wav.slice(from, from + n));
    expect(text(0, 4)).toBe('RIFF');
    expect(text(8, 4)).toBe('WAVE');
    expect(wav.length).toBe(44 + 8000 * 5 * 2);
    const view = new DataView(wav.buffer);
    const sample = (i: number) => view.getInt16(44 + i * 2, true);
    const loudest = (from: number, to: number) => {
      let m = 0;
      for (let i = from; i < to; i++) m = Math.max(m, Math.abs(sample(i)));
      return m;
    };
    expect(loudest(100, 7900)).toBeGreaterThan(10_000);
    expect(loudest(8000, 40_000)).toBe(0);
  });
});

describe('emitter', () => {
  it('a throwing listener neither stops the others nor the emitter', () => {
    const errors: unknown[] = [];
    const e = new Emitter<{ ping: [number] }>((error) => errors.push(error));
    const seen: number[] = [];
    e.on('ping', () => {
      throw new Error('UI bug');
    });
    const off = e.on('ping', (n) => seen.push(n));
    const once = vi.fn();
    e.once('ping', once);
    e.emit('ping', 1);
    off();
    e.emit('ping', 2);
    expect(seen).toEqual([1]);
    expect(once).toHaveBeenCalledTimes(1);
    expect(errors).toHaveLength(2);
  });
});
