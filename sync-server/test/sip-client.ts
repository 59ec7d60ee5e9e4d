// Minimal SIP user agents for the SIP server tests: a softphone over WebSocket (what sip.js does, signalling only)
// and a hotline trunk caller over UDP (what a gateway or SIPp does). Enough SIP for REGISTER with digest auth,
// one INVITE each way, ACK, BYE and CANCEL on loopback; no retransmissions (loopback does not lose datagrams).
import { createHash, randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { WebSocket } from 'ws';

export interface SipMessage {
  method?: string;
  uri?: string;
  status?: number;
  reason?: string;
  headers: [string, string][];
  body: string;
}

const COMPACT: Record<string, string> = {
  v: 'via',
  f: 'from',
  t: 'to',
  i: 'call-id',
  m: 'contact',
  l: 'content-length',
  c: 'content-type',
};
const canonical = (name: string) => COMPACT[name.toLowerCase()] ?? name.toLowerCase();

export function parseSip(text: string): SipMessage {
  const split = text.indexOf('\r\n\r\n');
  const head = split >= 0 ? text.slice(0, split) : text;
  const body = split >= 0 ? text.slice(split + 4) : '';
  const [start = '', ...lines] = head.split('\r\n');
  const headers: [string, string][] = [];
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  const status = /^SIP\/2\.0 (\d{3}) (.*)$/.exec(start);
  if (status) return { status: Number(status[1]), reason: status[2], headers, body };
  const [method, uri] = start.split(' ');
  return { method, uri, headers, body };
}

export function headerAll(msg: SipMessage, name: string): string[] {
  const want = canonical(name);
  // Via, Record-Route and Route may also come comma-separated in one header line.
  const splittable = ['via', 'record-route', 'route'].includes(want);
  return msg.headers
    .filter(([n]) => canonical(n) === want)
    .flatMap(([, v]) => (splittable ? v.split(/,(?=\s*(?:SIP\/|<))/).map((s) => s.trim()) : [v]));
}

export function header(msg: SipMessage, name: string): string | undefined {
  return headerAll(msg, name)[0];
}

function build(start: string, headers: [string, string][], body = ''): string {
  const lines = [start, ...headers.map(([n, v]) => `${n}: ${v}`), `Content-Length: ${Buffer.byteLength(body)}`];
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

const tag = () => randomBytes(5).toString('hex');
const branch = () => `z9hG4bK${randomBytes(8).toString('hex')}`;
const md5 = (s: string) => createHash('md5').update(s).digest('hex');

/** The Authorization value answering a digest challenge (RFC 2617, MD5, qop=auth when offered). */
export function digestAuthorization(
  challenge: string,
  o: { username: string; password: string; method: string; uri: string },
): string {
  const param = (k: string) => new RegExp(`${k}="?([^",]+)"?`).exec(challenge)?.[1];
  const realm = param('realm') ?? '';
  const nonce = param('nonce') ?? '';
  const qop = param('qop')
    ?.split(',')
    .map((s) => s.trim())
    .includes('auth')
    ? 'auth'
    : undefined;
  const ha1 = md5(`${o.username}:${realm}:${o.password}`);
  const ha2 = md5(`${o.method}:${o.uri}`);
  const cnonce = tag();
  const nc = '00000001';
  const response = qop ? md5(`${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`) : md5(`${ha1}:${nonce}:${ha2}`);
  let value = `Digest username="${o.username}", realm="${realm}", nonce="${nonce}", uri="${o.uri}", response="${response}", algorithm=MD5`;
  if (qop) value += `, qop=${qop}, nc=${nc}, cnonce="${cnonce}"`;
  return value;
}

export const FAKE_SDP = [
  'v=0',
  'o=- 1 1 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 49170 RTP/AVP 8',
  'a=rtpmap:8 PCMA/8000',
  '',
].join('\r\n');

type Waiter = { pred: (m: SipMessage) => boolean; resolve: (m: SipMessage) => void };

class Inbox {
  readonly all: SipMessage[] = [];
  private waiters: Waiter[] = [];
  push(m: SipMessage): void {
    this.all.push(m);
    for (const w of [...this.waiters]) {
      if (!w.pred(m)) continue;
      this.waiters.splice(this.waiters.indexOf(w), 1);
      w.resolve(m);
    }
  }
  /** The first message (already received or still to come) matching `pred`. */
  wait(pred: (m: SipMessage) => boolean, what: string, timeoutMs = 10_000, fromIndex = 0): Promise<SipMessage> {
    const seen = this.all.slice(fromIndex).find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`SIP: timed out waiting for ${what}`));
      }, timeoutMs);
      const done = (m: SipMessage) => (clearTimeout(timer), resolve(m));
      this.waiters.push({ pred, resolve: done });
    });
  }
}

/** How a phone answers an incoming INVITE: ring then answer, only ring, or a final refusal. */
export type InviteAnswer = 'answer' | 'ring' | { code: number; reason: string };

/** A softphone over SIP-over-WebSocket (RFC 7118), signalling only. */
export class WsPhone {
  readonly inbox = new Inbox();
  private readonly host = `${randomBytes(4).toString('hex')}.invalid`;
  private readonly contactUser = randomBytes(4).toString('hex');
  private cseq = 1;
  private readonly callId = `${randomBytes(8).toString('hex')}@${this.host}`;
  private readonly fromTag = tag();
  answer: InviteAnswer = 'answer';
  private readonly calls = new Map<string, { invite: SipMessage; toTag: string }>();

  private constructor(
    private readonly ws: WebSocket,
    readonly domain: string,
  ) {
    ws.on('message', (data) => this.receive(parseSip(data.toString())));
  }

  static connect(url: string, domain = 'hotline.twinline'): Promise<WsPhone> {
    const ws = new WebSocket(url, 'sip');
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new WsPhone(ws, domain)));
      ws.once('error', reject);
    });
  }

  get contact(): string {
    return `<sip:${this.contactUser}@${this.host};transport=ws>`;
  }

  private send(text: string): void {
    this.ws.send(text);
  }

  /** REGISTER as `aor` with digest credentials; answers one challenge; resolves with the final response. */
  async register(aor: string, username: string, password: string, expires = 600): Promise<SipMessage> {
    const uri = `sip:${this.domain}`;
    const request = (auth?: string) => {
      const cseq = this.cseq++;
      const headers: [string, string][] = [
        ['Via', `SIP/2.0/WS ${this.host};branch=${branch()}`],
        ['Max-Forwards', '70'],
        ['To', `<sip:${aor}@${this.domain}>`],
        ['From', `<sip:${aor}@${this.domain}>;tag=${this.fromTag}`],
        ['Call-ID', this.callId],
        ['CSeq', `${cseq} REGISTER`],
        ['Contact', `${this.contact};expires=${expires}`],
        ['Expires', String(expires)],
      ];
      if (auth) headers.push(['Authorization', auth]);
      this.send(build(`REGISTER ${uri} SIP/2.0`, headers));
      return this.inbox.wait(
        (m) => m.status !== undefined && m.status >= 200 && header(m, 'cseq') === `${cseq} REGISTER`,
        `REGISTER ${aor} response`,
      );
    };
    const first = await request();
    if (first.status !== 401) return first;
    const challenge = header(first, 'www-authenticate') ?? '';
    return request(digestAuthorization(challenge, { username, password, method: 'REGISTER', uri }));
  }

  /** The next INVITE this phone receives. */
  waitForInvite(timeoutMs = 10_000): Promise<SipMessage> {
    return this.inbox.wait((m) => m.method === 'INVITE', 'an incoming INVITE', timeoutMs);
  }

  private reply(req: SipMessage, code: number, reason: string, toTag: string, body = ''): void {
    const headers: [string, string][] = [
      ...headerAll(req, 'via').map((v): [string, string] => ['Via', v]),
      ...headerAll(req, 'record-route').map((v): [string, string] => ['Record-Route', v]),
      ['From', header(req, 'from')!],
      ['To', `${header(req, 'to')!}${/;tag=/.test(header(req, 'to')!) ? '' : `;tag=${toTag}`}`],
      ['Call-ID', header(req, 'call-id')!],
      ['CSeq', header(req, 'cseq')!],
      ['Contact', this.contact],
    ];
    if (body) headers.push(['Content-Type', 'application/sdp']);
    this.send(build(`SIP/2.0 ${code} ${reason}`, headers, body));
  }

  private receive(m: SipMessage): void {
    this.inbox.push(m);
    if (!m.method || m.method === 'ACK') return;
    const toTag = tag();
    const callId = header(m, 'call-id')!;
    if (m.method === 'INVITE') {
      const a = this.answer;
      if (typeof a === 'object') return this.reply(m, a.code, a.reason, toTag);
      this.calls.set(callId, { invite: m, toTag });
      this.reply(m, 180, 'Ringing', toTag);
      if (a === 'answer') this.reply(m, 200, 'OK', toTag, FAKE_SDP);
      return;
    }
    this.reply(m, 200, 'OK', toTag);
    const call = this.calls.get(callId);
    if (m.method === 'CANCEL' && call) this.reply(call.invite, 487, 'Request Terminated', call.toTag);
  }

  /** The agent hangs up a call it answered: BYE along the INVITE's Record-Route to the caller's Contact. */
  hangup(callId: string): Promise<SipMessage> {
    const call = this.calls.get(callId);
    if (!call) throw new Error(`no call ${callId} on this phone`);
    const { invite, toTag } = call;
    const target = /<([^>]+)>/.exec(header(invite, 'contact') ?? '')?.[1] ?? '';
    const cseq = this.cseq++;
    this.send(
      build(`BYE ${target} SIP/2.0`, [
        ['Via', `SIP/2.0/WS ${this.host};branch=${branch()}`],
        ['Max-Forwards', '70'],
        ...headerAll(invite, 'record-route').map((r): [string, string] => ['Route', r]),
        ['From', `${header(invite, 'to')!};tag=${toTag}`],
        ['To', header(invite, 'from')!],
        ['Call-ID', callId],
        ['CSeq', `${cseq} BYE`],
      ]),
    );
    return this.inbox.wait(
      (r) => r.status !== undefined && header(r, 'call-id') === callId && header(r, 'cseq') === `${cseq} BYE`,
      'BYE response',
    );
  }

  close(): void {
    this.ws.close();
  }
}

export interface TrunkCall {
  callId: string;
  /** Every response to the INVITE so far, in order. */
  readonly responses: SipMessage[];
  /** The final response (>= 200) to the INVITE. */
  final: Promise<SipMessage>;
  /** Waits for a response with this status. */
  waitFor(status: number, timeoutMs?: number): Promise<SipMessage>;
  cancel(): void;
  /** BYE after a 200; resolves with its response. */
  hangup(): Promise<SipMessage>;
}

/** A hotline trunk over UDP: places calls from a given caller number, as a telephone gateway would. */
export class UdpTrunk {
  readonly inbox = new Inbox();
  private constructor(
    private readonly sock: Socket,
    readonly port: number,
  ) {
    sock.on('message', (data) => {
      const m = parseSip(data.toString());
      this.inbox.push(m);
      // In-dialog requests towards the caller (e.g. the agent hangs up): accept them.
      if (m.method && m.method !== 'ACK') this.respond(m, 200, 'OK');
    });
  }

  static open(): Promise<UdpTrunk> {
    const sock = createSocket('udp4');
    return new Promise((resolve) => sock.bind(0, '127.0.0.1', () => resolve(new UdpTrunk(sock, sock.address().port))));
  }

  private sendTo(text: string, host: string, port: number): void {
    this.sock.send(text, port, host);
  }

  private respond(req: SipMessage, code: number, reason: string): void {
    const via = headerAll(req, 'via');
    const top = /received=([\d.]+)/.exec(via[0] ?? '');
    const rport = /rport=(\d+)/.exec(via[0] ?? '');
    const hostPort = /SIP\/2\.0\/UDP ([\d.]+):(\d+)/.exec(via[0] ?? '');
    const headers: [string, string][] = [
      ...via.map((v): [string, string] => ['Via', v]),
      ['From', header(req, 'from')!],
      ['To', header(req, 'to')!],
      ['Call-ID', header(req, 'call-id')!],
      ['CSeq', header(req, 'cseq')!],
    ];
    this.sendTo(
      build(`SIP/2.0 ${code} ${reason}`, headers),
      top?.[1] ?? hostPort?.[1] ?? '127.0.0.1',
      Number(rport?.[1] ?? hostPort?.[2]),
    );
  }

  /** INVITE sip:<dialled>@host:port from <caller>. */
  call(
    target: { host: string; port: number },
    o: { caller: string; dialled: string; headers?: [string, string][] },
  ): TrunkCall {
    const callId = `${randomBytes(8).toString('hex')}@trunk.invalid`;
    const fromTag = tag();
    const inviteBranch = branch();
    const ruri = `sip:${o.dialled}@${target.host}:${target.port}`;
    const from = `<sip:${o.caller}@trunk.invalid>;tag=${fromTag}`;
    const to = `<sip:${o.dialled}@${target.host}>`;
    const via = `SIP/2.0/UDP 127.0.0.1:${this.port};branch=${inviteBranch};rport`;
    const contact = `<sip:${o.caller}@127.0.0.1:${this.port}>`;
    this.sendTo(
      build(
        `INVITE ${ruri} SIP/2.0`,
        [
          ['Via', via],
          ['Max-Forwards', '70'],
          ['From', from],
          ['To', to],
          ['Call-ID', callId],
          ['CSeq', '1 INVITE'],
          ['Contact', contact],
          ['Content-Type', 'application/sdp'],
          ...(o.headers ?? []),
        ],
        FAKE_SDP,
      ),
      target.host,
      target.port,
    );
    const isInviteResponse = (m: SipMessage) =>
      m.status !== undefined && header(m, 'call-id') === callId && header(m, 'cseq') === '1 INVITE';
    const start = this.inbox.all.length;
    const inbox = this.inbox;
    let ok: SipMessage | undefined;
    const final = inbox.wait(
      (m) => isInviteResponse(m) && m.status! >= 200,
      `final response to ${callId}`,
      20_000,
      start,
    );

    /** In-dialog request after a 2xx: Request-URI = remote Contact, Route = reversed Record-Route. */
    const inDialog = (method: string, cseq: number) => {
      const remoteTarget = /<([^>]+)>/.exec(header(ok!, 'contact') ?? '')?.[1] ?? ruri;
      const routes = headerAll(ok!, 'record-route').reverse();
      const first = /sip:([\d.]+):?(\d+)?/.exec(routes[0] ?? remoteTarget);
      const headers: [string, string][] = [
        ['Via', `SIP/2.0/UDP 127.0.0.1:${this.port};branch=${branch()};rport`],
        ['Max-Forwards', '70'],
        ...routes.map((r): [string, string] => ['Route', r]),
        ['From', from],
        ['To', header(ok!, 'to')!],
        ['Call-ID', callId],
        ['CSeq', `${cseq} ${method}`],
      ];
      this.sendTo(
        build(`${method} ${remoteTarget} SIP/2.0`, headers),
        first?.[1] ?? target.host,
        Number(first?.[2] ?? 5060),
      );
    };

    void final.then((m) => {
      if (m.status! >= 300) {
        // Hop-by-hop ACK for a failure: same branch, the response's To.
        this.sendTo(
          build(`ACK ${ruri} SIP/2.0`, [
            ['Via', via],
            ['Max-Forwards', '70'],
            ['From', from],
            ['To', header(m, 'to')!],
            ['Call-ID', callId],
            ['CSeq', '1 ACK'],
          ]),
          target.host,
          target.port,
        );
      } else {
        ok = m;
        inDialog('ACK', 1);
      }
    });

    return {
      callId,
      get responses() {
        return inbox.all.slice(start).filter(isInviteResponse);
      },
      final,
      waitFor: (status, timeoutMs) =>
        this.inbox.wait((m) => isInviteResponse(m) && m.status === status, `${status} for ${callId}`, timeoutMs, start),
      cancel: () =>
        this.sendTo(
          build(`CANCEL ${ruri} SIP/2.0`, [
            ['Via', via],
            ['Max-Forwards', '70'],
            ['From', from],
            ['To', to],
            ['Call-ID', callId],
            ['CSeq', '1 CANCEL'],
          ]),
          target.host,
          target.port,
        ),
      hangup: async () => {
        await final;
        if (!ok) throw new Error('no dialog to hang up');
        const at = this.inbox.all.length;
        inDialog('BYE', 2);
        return this.inbox.wait(
          (m) => m.status !== undefined && header(m, 'call-id') === callId && header(m, 'cseq') === '2 BYE',
          'BYE response',
          10_000,
          at,
        );
      },
    };
  }

  close(): void {
    this.sock.close();
  }
}
