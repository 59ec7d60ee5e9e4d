// Pure helpers over SIP and SDP text: what an incoming call says about itself, what to dial, what a NOTIFY or an
// INFO carries. No sip.js here, so they are tested in Node.

/** Headers as sip.js keeps them on a parsed message: name → values (each with its raw text). */
export type RawHeaders = Record<string, ReadonlyArray<{ raw: string }>>;

const TWINLINE_PREFIX = 'x-twinline-';

/**
 * Every `X-Twinline-*` header of a message (the centre or Kamailio may add queue, group, region, …), by its name as
 * received, plus the same values keyed by the lower-case suffix (`queue`, `group`, `region`). The first value wins
 * when a header repeats.
 */
export function twinlineHeaders(headers: RawHeaders): {
  headers: Record<string, string>;
  info: Record<string, string>;
} {
  const out: Record<string, string> = {};
  const info: Record<string, string> = {};
  for (const [name, values] of Object.entries(headers)) {
    if (!name.toLowerCase().startsWith(TWINLINE_PREFIX)) continue;
    const value = values[0]?.raw.trim();
    if (value === undefined) continue;
    out[name] = value;
    const key = name.slice(TWINLINE_PREFIX.length).toLowerCase();
    if (key && !(key in info)) info[key] = value;
  }
  return { headers: out, info };
}

/** A caller's number as shown to the agent: the URI user, unescaped, with nothing but digits and + * # kept. */
export function displayNumber(uriUser: string | undefined): string {
  if (!uriUser) return '';
  let text = uriUser;
  try {
    text = decodeURIComponent(uriUser);
  } catch {
    // keep it as received
  }
  return /^[0-9+*#]+$/.test(text) ? text : text.replace(/[^0-9A-Za-z+*#._-]/g, '');
}

const DIAL = /^[A-Za-z0-9._+*#-]{1,64}$/;

/**
 * The SIP URI for something an agent or a caller dials: an account (`agent2.fz`), a number (`0592 1234-567`, spaces
 * and dashes dropped), the hotline with a menu digit (`95598*3`), or a full `sip:` URI (kept).
 */
export function dialUri(target: string, domain: string): string {
  const t = target.trim();
  if (/^sips?:/i.test(t)) return t;
  const compact = /^[0-9+*#\s()-]+$/.test(t) ? t.replace(/[\s()-]/g, '') : t;
  if (!DIAL.test(compact)) throw new Error(`cannot dial "${target}": use a number, an account or a sip: address`);
  return `sip:${compact.replaceAll('#', '%23')}@${domain}`;
}

export type MediaDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

/** The direction of the first audio stream of an SDP body (a peer holding us offers sendonly or inactive). */
export function sdpAudioDirection(sdp: string): MediaDirection {
  const lines = sdp.split(/\r?\n/);
  let session: MediaDirection = 'sendrecv';
  let inAudio = false;
  let sawAudio = false;
  for (const line of lines) {
    if (line.startsWith('m=')) {
      if (sawAudio) break;
      inAudio = line.startsWith('m=audio');
      sawAudio ||= inAudio;
      continue;
    }
    const m = /^a=(sendrecv|sendonly|recvonly|inactive)\s*$/.exec(line);
    if (!m) continue;
    if (inAudio) return m[1] as MediaDirection;
    if (!sawAudio) session = m[1] as MediaDirection;
  }
  return session;
}

/** The status code in a REFER's NOTIFY body (message/sipfrag: "SIP/2.0 200 OK"), or null. */
export function sipfragStatus(body: string | undefined): number | null {
  const m = /^SIP\/2\.0\s+(\d{3})/.exec((body ?? '').trim());
  return m ? Number(m[1]) : null;
}

/** A DTMF digit carried by an INFO (application/dtmf-relay "Signal=5" or application/dtmf "5"), or null. */
export function dtmfFromInfo(contentType: string | undefined, body: string | undefined): string | null {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const text = (body ?? '').trim();
  let tone: string | undefined;
  if (type === 'application/dtmf-relay') tone = /^Signal\s*=\s*(\S+)/im.exec(text)?.[1];
  else if (type === 'application/dtmf') tone = text.split(/\s/)[0];
  if (!tone) return null;
  // RFC 4733 event codes as some gateways send them: 10 is *, 11 is #.
  if (tone === '10') return '*';
  if (tone === '11') return '#';
  return /^[0-9A-D*#]$/i.test(tone) ? tone.toUpperCase() : null;
}

/** The INFO body for one DTMF tone (application/dtmf-relay), the fallback when RTP events are not available. */
export function dtmfInfoBody(tone: string, durationMs: number): string {
  return `Signal=${tone}\r\nDuration=${Math.round(durationMs)}\r\n`;
}

/** Valid DTMF tones only (0-9, *, #, A-D, and the comma pause RTCDTMFSender knows). */
export function checkDtmf(tones: string): string {
  const t = tones.replace(/\s/g, '').toUpperCase();
  if (!/^[0-9A-D*#,]+$/.test(t)) throw new Error(`not DTMF tones: "${tones}"`);
  return t;
}

/**
 * Whether the ICE candidates gathered so far are enough to send an offer or answer now. sip.js sends SDP only once
 * gathering ends, and Chromium ends it only after its TCP candidates (about 120 ms later, useless here: peers are
 * browsers, media is UDP). Without STUN/TURN servers, a UDP host candidate is enough (loopback, a LAN); with them,
 * wait for a server-reflexive or relayed one (else sip.js's gathering timeout applies).
 */
export function candidatesSuffice(
  candidates: ReadonlyArray<{ protocol?: string | null; type?: string | null }>,
  haveIceServers: boolean,
): boolean {
  return candidates.some(
    (c) => c.protocol === 'udp' && (haveIceServers ? c.type === 'srflx' || c.type === 'relay' : c.type === 'host'),
  );
}
