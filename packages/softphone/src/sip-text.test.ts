// What an incoming call says about itself, what to dial, and what NOTIFY and INFO bodies carry.
import { describe, expect, it } from 'vitest';
import {
  candidatesSuffice,
  checkDtmf,
  dialUri,
  displayNumber,
  dtmfFromInfo,
  dtmfInfoBody,
  sdpAudioDirection,
  sipfragStatus,
  twinlineHeaders,
} from './sip-text';

describe('incoming call headers', () => {
  it('lists every X-Twinline-* header as received and by suffix, ignoring the rest', () => {
    const headers = {
      From: [{ raw: '<sip:05922123456@pstn.twinline>;tag=1' }],
      'X-Twinline-Queue': [{ raw: ' repair ' }],
      'X-Twinline-Region': [{ raw: 'xiamen' }, { raw: 'fuzhou' }],
      'X-Twinline-Skill-Group': [{ raw: 'minnan' }],
      'x-twinline-digit': [{ raw: '3' }],
      'X-Other': [{ raw: 'nope' }],
    };
    expect(twinlineHeaders(headers)).toEqual({
      headers: {
        'X-Twinline-Queue': 'repair',
        'X-Twinline-Region': 'xiamen',
        'X-Twinline-Skill-Group': 'minnan',
        'x-twinline-digit': '3',
      },
      info: { queue: 'repair', region: 'xiamen', 'skill-group': 'minnan', digit: '3' },
    });
    expect(twinlineHeaders({})).toEqual({ headers: {}, info: {} });
  });

  it('shows the caller number as given, unescaped, without stray characters', () => {
    expect(displayNumber('05922123456')).toBe('05922123456');
    expect(displayNumber('%2B8613800000000')).toBe('+8613800000000');
    expect(displayNumber('95598*3')).toBe('95598*3');
    expect(displayNumber('agent2.fz')).toBe('agent2.fz');
    expect(displayNumber('<script>')).toBe('script');
    expect(displayNumber(undefined)).toBe('');
  });
});

describe('dialling', () => {
  it('makes SIP URIs from numbers, accounts, the hotline with a menu digit, and keeps sip: URIs', () => {
    expect(dialUri('0592 1234-567', 'hotline.twinline')).toBe('sip:05921234567@hotline.twinline');
    expect(dialUri('95598*3', 'hotline.twinline')).toBe('sip:95598*3@hotline.twinline');
    expect(dialUri('agent2.xm', 'hotline.twinline')).toBe('sip:agent2.xm@hotline.twinline');
    expect(dialUri('123#', 'd')).toBe('sip:123%23@d');
    expect(dialUri('sip:someone@elsewhere', 'd')).toBe('sip:someone@elsewhere');
    expect(() => dialUri('a b@c', 'd')).toThrow(/cannot dial/);
    expect(() => dialUri('', 'd')).toThrow(/cannot dial/);
  });
});

describe('SDP direction (remote hold)', () => {
  const sdp = (session: string, audio: string) =>
    [
      'v=0',
      'o=- 1 2 IN IP4 127.0.0.1',
      's=-',
      session,
      'm=audio 9 UDP/TLS/RTP/SAVPF 111',
      audio,
      'a=rtpmap:111 opus/48000/2',
      'm=video 9 UDP 96',
      'a=inactive',
    ]
      .filter(Boolean)
      .join('\r\n');
  it('reads the audio stream direction, falling back to the session level', () => {
    expect(sdpAudioDirection(sdp('', 'a=sendonly'))).toBe('sendonly');
    expect(sdpAudioDirection(sdp('', 'a=sendrecv'))).toBe('sendrecv');
    expect(sdpAudioDirection(sdp('a=inactive', ''))).toBe('inactive');
    expect(sdpAudioDirection(sdp('', ''))).toBe('sendrecv');
    expect(sdpAudioDirection('')).toBe('sendrecv');
  });
});

describe('NOTIFY and INFO bodies', () => {
  it('reads the status of a transfer from message/sipfrag', () => {
    expect(sipfragStatus('SIP/2.0 100 Trying\r\n')).toBe(100);
    expect(sipfragStatus('SIP/2.0 200 OK')).toBe(200);
    expect(sipfragStatus('SIP/2.0 486 Busy Here')).toBe(486);
    expect(sipfragStatus('garbage')).toBeNull();
    expect(sipfragStatus(undefined)).toBeNull();
  });

  it('reads DTMF from INFO in both common forms, and writes dtmf-relay', () => {
    expect(dtmfFromInfo('application/dtmf-relay', 'Signal=5\r\nDuration=160')).toBe('5');
    expect(dtmfFromInfo('application/dtmf-relay; charset=utf-8', 'Signal= #\r\n')).toBe('#');
    expect(dtmfFromInfo('application/dtmf-relay', 'Signal=10\r\nDuration=160')).toBe('*');
    expect(dtmfFromInfo('application/dtmf', '9')).toBe('9');
    expect(dtmfFromInfo('text/plain', 'Signal=5')).toBeNull();
    expect(dtmfFromInfo('application/dtmf-relay', 'Signal=X')).toBeNull();
    expect(dtmfFromInfo('application/dtmf-relay', dtmfInfoBody('7', 160))).toBe('7');
    expect(checkDtmf(' 12 3*# ')).toBe('123*#');
    expect(() => checkDtmf('12x')).toThrow(/not DTMF/);
  });
});

describe('ICE candidates enough to answer', () => {
  const host = { protocol: 'udp', type: 'host' };
  const tcp = { protocol: 'tcp', type: 'host' };
  const srflx = { protocol: 'udp', type: 'srflx' };
  it('a UDP host candidate without ICE servers; a reflexive or relayed one with them', () => {
    expect(candidatesSuffice([], false)).toBe(false);
    expect(candidatesSuffice([tcp], false)).toBe(false);
    expect(candidatesSuffice([tcp, host], false)).toBe(true);
    expect(candidatesSuffice([host], true)).toBe(false);
    expect(candidatesSuffice([host, srflx], true)).toBe(true);
    expect(candidatesSuffice([{ protocol: 'udp', type: 'relay' }], true)).toBe(true);
  });
});
