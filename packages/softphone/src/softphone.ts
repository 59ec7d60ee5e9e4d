// The agent's softphone: sip.js over WebSocket to a centre's Kamailio, WebRTC audio. The console wraps it in its UI;
// everything it knows is in one plain state object (`state`, `subscribe`) plus typed events.
//
// Link: one sip.js UserAgent per SIP server ("line"). Registration is refreshed before it expires; when the line
// fails (WebSocket closed, a keep-alive OPTIONS unanswered, REGISTER timing out) the phone registers with the next
// server in the credentials' list (home first, then the twin) at once, backing off only after every server failed;
// while on the twin it probes home and moves back when idle (registering at home before leaving the twin).
// Health: browser online/offline events, page visibility, a wall-clock check that notices the machine slept, and
// OPTIONS keep-alives with a short timeout (sip.js's own transport only learns of a dead TCP connection much later).
// A call whose line dies keeps its audio (media is peer to peer) and is marked `signalling: 'lost'`.
import { Inviter, Registerer, RegistererState, SIPExtension, UserAgent, Web } from 'sip.js';
import type { Invitation, Referral } from 'sip.js';
import { Call } from './call';
import type { CallHost, CallSnapshot, MediaOptions } from './call';
import { SoftphoneCredentialsSchema, refreshDelayMs } from './credentials';
import type { SoftphoneCredentials } from './credentials';
import { AudioDevices } from './devices';
import type { DeviceNotice, DeviceState } from './devices';
import { Emitter } from './emitter';
import { FailoverPolicy } from './failover';
import type { SipServer } from './failover';
import { INITIAL_LINK, describeRejection, isCredentialsRejection, linkReducer } from './link-state';
import type { LinkEvent, LinkState, Registration, ServerStatus } from './link-state';
import { ringToneWav } from './ringtone';
import type { RtpStats } from './rtp-stats';
import { dialUri } from './sip-text';
import { SleepDetector } from './sleep';

export interface SoftphoneState extends LinkState {
  /** The address of record in use (sip:<aor>@<domain>), once connected. */
  aor: string | null;
  /** When the credentials expire (ISO 8601), if they do. */
  credentialsExpire: string | null;
  /** Calls in progress, and the last few that ended (newest last). */
  calls: CallSnapshot[];
  /** The ring tone is sounding; `blocked` when the browser refused to play it (autoplay policy). */
  ringer: 'idle' | 'ringing' | 'blocked';
  devices: DeviceState;
}

export interface FailoverEvent {
  from: ServerStatus | null;
  to: ServerStatus;
  reason: string;
}

export interface SoftphoneEvents {
  state: [SoftphoneState];
  registration: [Registration, ServerStatus | null];
  /** The phone moved to another SIP server (to the twin after a failure, or back home). */
  failover: [FailoverEvent];
  /** An incoming call rings (caller number and X-Twinline-* headers in the snapshot). */
  incoming: [CallSnapshot];
  /** A call changed (any field). */
  call: [CallSnapshot];
  ended: [CallSnapshot];
  /** A DTMF tone arrived (SIP INFO). */
  dtmf: [{ callId: string; tone: string }];
  device: [DeviceNotice];
  /** The wall clock jumped: the machine slept (or the tab was frozen) for about `sleptMs`. */
  wake: [{ sleptMs: number }];
  error: [Error];
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface SoftphoneOptions {
  /** Fresh credentials (the app calls POST /api/sip/credentials); used before the current ones expire. */
  getCredentials?: () => Promise<unknown>;
  /** Register the address of record (default true); a phone that only dials out may skip it. */
  register?: boolean;
  /** REGISTER expiry asked for, seconds (Kamailio allows 30…3600; default 300). Re-registered at 80 %. */
  registerExpiresSec?: number;
  /** Keep-alive OPTIONS every … ms while registered (default 15 s), and how long an answer may take (3 s). */
  pingIntervalMs?: number;
  pingTimeoutMs?: number;
  /** WebSocket connect timeout (default 3 s) and REGISTER answer timeout (default 5 s). */
  connectTimeoutMs?: number;
  registerTimeoutMs?: number;
  /** Wall-clock check period and the lateness that means the machine slept (defaults 2 s, 5 s). */
  sleepCheckMs?: number;
  sleepThresholdMs?: number;
  /** While registered with the twin and idle, probe the home server this often (default 30 s; 0 = never). */
  failbackProbeMs?: number;
  /** Retry delays after every server failed (defaults 1 s doubling to 30 s, half random). */
  backoff?: { baseMs: number; maxMs: number };
  /** ICE servers (STUN/TURN) for calls beyond one network; default none (loopback, LAN). */
  iceServers?: RTCIceServer[];
  /** Longest wait for ICE candidates before sending an offer or answer (default 1 s). */
  iceGatheringTimeoutMs?: number;
  /**
   * Open the microphone as soon as a call rings (closed again if it is not answered), so answering does not wait for
   * the device to start; default true. False: only when the call is answered.
   */
  microphoneOnRing?: boolean;
  /**
   * Start the browser's audio capture and WebRTC once, when the phone first connects (the microphone is opened and
   * closed at once, a peer connection made and closed), so the first call does not pay for it: about 100 ms in
   * Chromium for the capture, once per browser, and 5-40 ms for the first peer connection of a page; default true.
   */
  warmUpMedia?: boolean;
  /** A ring tone to loop on the ringing device; default a generated 450 Hz cadence. */
  ringtoneUrl?: string;
  userAgentString?: string;
  /** Ended calls kept in `state.calls` (default 5). */
  keepEndedCalls?: number;
  /** Where log lines go (default: console.warn/error for warn and error only). */
  log?: (level: LogLevel, message: string, data?: Record<string, unknown>) => void;
  /** Log every SIP message (sip.js traceSip) at debug level. */
  sipTrace?: boolean;
}

interface Line {
  id: number;
  ua: UserAgent;
  server: SipServer;
  index: number;
  registerer: Registerer | null;
  up: boolean;
  /** We are stopping it on purpose: its disconnect is not a failure. */
  closing: boolean;
  calls: Set<Call>;
}

type BringUp = { ok: true } | { ok: false; reason: string; code?: number };

const DEFAULTS = {
  register: true,
  registerExpiresSec: 300,
  pingIntervalMs: 15_000,
  pingTimeoutMs: 3_000,
  connectTimeoutMs: 3_000,
  registerTimeoutMs: 5_000,
  sleepCheckMs: 2_000,
  sleepThresholdMs: 5_000,
  failbackProbeMs: 30_000,
  backoff: { baseMs: 1_000, maxMs: 30_000 },
  iceGatheringTimeoutMs: 1_000,
  microphoneOnRing: true,
  warmUpMedia: true,
  keepEndedCalls: 5,
};

export class Softphone {
  private readonly o: SoftphoneOptions & typeof DEFAULTS;
  private readonly events: Emitter<SoftphoneEvents>;
  private link: LinkState = INITIAL_LINK;
  private s: SoftphoneState;
  private creds: SoftphoneCredentials | null = null;
  private policy: FailoverPolicy | null = null;
  private line: Line | null = null;
  private readonly lines = new Set<Line>();
  private readonly calls = new Map<string, Call>();
  private readonly callLines = new Map<Call, Line>();
  private ended: CallSnapshot[] = [];
  private lineIds = 0;
  /** Bumped whenever a new attempt supersedes older ones (their results are then ignored). */
  private generation = 0;
  private running = false;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private failbackTimer: ReturnType<typeof setInterval> | null = null;
  private qualityTimer: ReturnType<typeof setInterval> | null = null;
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;
  private refreshAt: number | null = null;
  private lastAuthRefresh = 0;
  private readonly sleep: SleepDetector;
  private readonly devices: AudioDevices;
  private applied = { microphone: '', speaker: '', ringer: '' };
  private ring: HTMLAudioElement | null = null;
  private ringUrl: string | null = null;
  private readonly waiters = new Set<() => void>();
  private readonly instanceId = randomUuid();
  private warmedUp = false;

  constructor(options: SoftphoneOptions = {}) {
    this.o = { ...DEFAULTS, ...options };
    this.events = new Emitter((error, event) =>
      this.log('error', `a "${String(event)}" listener threw`, { error: String(error) }),
    );
    this.sleep = new SleepDetector(
      { intervalMs: this.o.sleepCheckMs, thresholdMs: this.o.sleepThresholdMs },
      (sleptMs) => this.onWake(sleptMs),
    );
    const md = typeof navigator !== 'undefined' ? navigator.mediaDevices : undefined;
    this.devices = new AudioDevices(md, (state, notices) => this.onDevices(state, notices));
    this.s = {
      ...INITIAL_LINK,
      online: typeof navigator === 'undefined' ? true : navigator.onLine,
      aor: null,
      credentialsExpire: null,
      calls: [],
      ringer: 'idle',
      devices: this.devices.state,
    };
    this.link = { ...INITIAL_LINK, online: this.s.online };
  }

  // ---- state and events ---------------------------------------------------------------------------------------------

  get state(): SoftphoneState {
    return this.s;
  }

  /** Listens to every state change; returns the unsubscribe function (fits React's useSyncExternalStore). */
  subscribe = (listener: (state: SoftphoneState) => void): (() => void) => this.events.on('state', listener);

  on<K extends keyof SoftphoneEvents>(event: K, listener: (...args: SoftphoneEvents[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  off<K extends keyof SoftphoneEvents>(event: K, listener: (...args: SoftphoneEvents[K]) => void): void {
    this.events.off(event, listener);
  }

  private publish(): void {
    const live = [...this.calls.values()].map((c) => c.snapshot);
    this.s = {
      ...this.s,
      ...this.link,
      calls: [...this.ended, ...live],
      devices: this.devices.state,
    };
    this.events.emit('state', this.s);
  }

  private dispatch(e: LinkEvent): void {
    const before = this.link;
    this.link = linkReducer(this.link, e);
    this.publish();
    if (before.registration !== this.link.registration || before.server?.wsUrl !== this.link.server?.wsUrl)
      this.events.emit('registration', this.link.registration, this.link.server);
    if (this.link.registration === 'registered' || this.link.registration === 'failed') this.wakeWaiters();
  }

  private log(level: LogLevel, message: string, data?: Record<string, unknown>): void {
    if (this.o.log) return this.o.log(level, message, data);
    if (level === 'warn') console.warn(`[softphone] ${message}`, data ?? '');
    if (level === 'error') console.error(`[softphone] ${message}`, data ?? '');
  }

  // ---- connecting ---------------------------------------------------------------------------------------------------

  /**
   * Connects with these credentials (validated) to the first server, registers, and keeps the phone registered
   * until `disconnect()`. Resolves once the first attempt is decided: see `state.registration` for how it went.
   * `getCredentials` (here or in the options) is how fresh credentials are fetched before these expire.
   */
  async connect(credentials: unknown, opts: { getCredentials?: () => Promise<unknown> } = {}): Promise<SoftphoneState> {
    const creds = SoftphoneCredentialsSchema.parse(credentials);
    await this.disconnect();
    if (opts.getCredentials) this.o.getCredentials = opts.getCredentials;
    this.creds = creds;
    this.policy = new FailoverPolicy(creds.servers, this.o.backoff);
    this.running = true;
    this.link = { ...INITIAL_LINK, online: this.s.online };
    this.s = {
      ...this.s,
      aor: `sip:${creds.aor}@${creds.aorDomain ?? creds.domain}`,
      credentialsExpire: creds.expires ?? null,
    };
    this.startWatching();
    this.scheduleRefresh();
    const settled = this.waitForAttempt();
    void this.attempt('connect');
    await settled;
    return this.s;
  }

  /** Unregisters, ends calls, stops every timer and listener. */
  async disconnect(): Promise<void> {
    this.running = false;
    this.generation++;
    this.stopWatching();
    this.clearTimers();
    this.stopRinging();
    for (const call of [...this.calls.values()]) await call.hangup().catch(() => undefined);
    const lines = [...this.lines];
    this.line = null;
    await Promise.all(lines.map((l) => this.stopLine(l, true)));
    this.link = linkReducer(this.link, { type: 'stopped' });
    this.publish();
    this.wakeWaiters();
  }

  /** Resolves when the phone is registered, or rejects with the last error after `timeoutMs`. */
  whenRegistered(timeoutMs = 10_000): Promise<void> {
    if (this.s.registration === 'registered') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`not registered after ${timeoutMs} ms: ${this.s.lastError ?? this.s.registration}`));
      }, timeoutMs);
      const off = this.on('registration', (r) => {
        if (r !== 'registered') return;
        clearTimeout(timer);
        off();
        resolve();
      });
    });
  }

  private waitForAttempt(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.waiters.delete(done);
        resolve();
      };
      this.waiters.add(done);
    });
  }

  private wakeWaiters(): void {
    for (const w of [...this.waiters]) w();
  }

  private clearTimers(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.retryTimer = this.refreshTimer = null;
    this.stopPings();
    if (this.failbackTimer) clearInterval(this.failbackTimer);
    if (this.qualityTimer) clearInterval(this.qualityTimer);
    this.failbackTimer = this.qualityTimer = null;
  }

  private serverStatus(index: number, server: SipServer): ServerStatus {
    return { ...server, home: index === 0 };
  }

  /** One attempt on the policy's current server. */
  private async attempt(why: string): Promise<void> {
    if (!this.running || !this.policy || !this.creds) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (!this.link.online) {
      this.wakeWaiters();
      return; // the 'online' event starts the next attempt
    }
    const gen = ++this.generation;
    const { index, server } = this.policy.current;
    this.log('info', 'connecting', { centre: server.centre, wsUrl: server.wsUrl, why });
    this.dispatch({ type: 'connecting', server: this.serverStatus(index, server) });
    const line = this.createLine(index, server);
    this.line = line;
    const result = await this.bringUp(line, () => gen === this.generation && this.line === line);
    if (gen !== this.generation || this.line !== line || !this.running) return;
    if (result.ok) {
      this.policy.succeeded();
      this.onLineUp(line);
      return;
    }
    if (result.code !== undefined && isCredentialsRejection(result.code)) {
      this.line = null;
      void this.stopLine(line, false);
      this.dispatch({ type: 'rejected', code: result.code, reason: result.reason });
      // Expired or revoked credentials: ask the app for new ones once (not in a loop), then try again.
      if (this.o.getCredentials && Date.now() - this.lastAuthRefresh > 30_000) {
        this.lastAuthRefresh = Date.now();
        if (await this.refreshCredentials()) void this.attempt('new credentials');
      }
      return;
    }
    this.lineFailed(line, result.reason);
  }

  private createLine(index: number, server: SipServer): Line {
    const creds = this.creds!;
    const uri = UserAgent.makeURI(`sip:${creds.aor}@${creds.aorDomain ?? creds.domain}`);
    if (!uri) throw new Error(`not a SIP address: ${creds.aor}`);
    const line: Line = {
      id: ++this.lineIds,
      ua: undefined as unknown as UserAgent,
      server,
      index,
      registerer: null,
      up: false,
      closing: false,
      calls: new Set(),
    };
    // Calls are audio only: the microphone in use, whatever sip.js asks.
    const mediaStreamFactory: Web.MediaStreamFactory = async (_constraints, _sdh, options) => {
      // The microphone an incoming call opened while it rang (Call.prepareMicrophone), if it is still live.
      const early = await (options as MediaOptions | undefined)?.microphone;
      if (early?.getAudioTracks().some((t) => t.readyState === 'live')) return early;
      return this.openMicrophone();
    };
    line.ua = new UserAgent({
      uri,
      authorizationUsername: creds.username ?? '',
      authorizationPassword: creds.password ?? '',
      // The contact's user part is the account: a REFER with Replaces that names our contact still finds us by
      // name at the registrar (lookup ignores the host part), at either centre.
      contactName: creds.aor,
      instanceId: this.instanceId,
      transportOptions: {
        server: server.wsUrl,
        connectionTimeout: Math.max(1, Math.round(this.o.connectTimeoutMs / 1000)),
        keepAliveInterval: 0,
        traceSip: this.o.sipTrace ?? false,
      },
      sessionDescriptionHandlerFactory: Web.defaultSessionDescriptionHandlerFactory(mediaStreamFactory),
      sessionDescriptionHandlerFactoryOptions: {
        iceGatheringTimeout: this.o.iceGatheringTimeoutMs,
        peerConnectionConfiguration: { iceServers: this.o.iceServers ?? [] },
      },
      sipExtensionReplaces: SIPExtension.Supported,
      userAgentString: this.o.userAgentString ?? 'Twinline softphone (sip.js 0.21)',
      logBuiltinEnabled: false,
      logConfiguration: false,
      logLevel: this.o.sipTrace ? 'debug' : 'warn',
      logConnector: (level, category, _label, content) =>
        this.log(level === 'log' ? 'debug' : level, `sip.js ${category}: ${content}`),
      delegate: {
        onInvite: (invitation) => this.onInvite(line, invitation),
        onDisconnect: (error) => {
          line.up = false;
          if (line.closing) return;
          for (const c of line.calls) c.signallingLost();
          const reason = `lost the connection to the SIP server of ${server.centre}${error ? ` (${error.message})` : ''}`;
          // Not from inside sip.js's transport state change: stopping the user agent there is refused ("Loop detected").
          setTimeout(() => this.lineFailed(line, reason), 0);
        },
      },
    });
    this.lines.add(line);
    return line;
  }

  /** Connects the line's WebSocket and registers (when registering). `current()` says the line is still wanted. */
  private async bringUp(line: Line, current: () => boolean): Promise<BringUp> {
    const { centre, wsUrl } = line.server;
    try {
      await line.ua.start();
    } catch (error) {
      return { ok: false, reason: `cannot reach the SIP server of ${centre} at ${wsUrl} (${errorText(error)})` };
    }
    line.up = true;
    if (current()) this.dispatch({ type: 'connected' });
    if (!this.o.register) return { ok: true };
    const registerer = new Registerer(line.ua, {
      expires: this.o.registerExpiresSec,
      refreshFrequency: 80,
      logConfiguration: false,
    });
    line.registerer = registerer;
    const result = await this.register(line);
    if (result.ok) {
      registerer.stateChange.addListener((state) => {
        if (state !== RegistererState.Unregistered || line.closing || this.line !== line) return;
        void this.registrationLost(line);
      });
    }
    return result;
  }

  /** Sends REGISTER on the line and waits for the answer (or the timeout). */
  private register(line: Line): Promise<BringUp> {
    const registerer = line.registerer;
    if (!registerer) return Promise.resolve({ ok: true });
    return new Promise<BringUp>((resolve) => {
      const timer = setTimeout(
        () => resolve({ ok: false, reason: `the SIP server of ${line.server.centre} did not answer REGISTER in time` }),
        this.o.registerTimeoutMs,
      );
      const done = (r: BringUp) => {
        clearTimeout(timer);
        resolve(r);
      };
      registerer
        .register({
          requestDelegate: {
            onAccept: () => done({ ok: true }),
            onReject: (response) => {
              const code = response.message.statusCode ?? 0;
              done({ ok: false, code, reason: describeRejection(code, response.message.reasonPhrase ?? '') });
            },
          },
        })
        .catch((error: unknown) => done({ ok: false, reason: `REGISTER failed: ${errorText(error)}` }));
    });
  }

  /** sip.js's own re-REGISTER failed: learn why with one more REGISTER, then fail over or report the rejection. */
  private async registrationLost(line: Line): Promise<void> {
    const again = await this.register(line);
    if (this.line !== line || line.closing) return;
    if (again.ok) return this.dispatch({ type: 'registered', at: Date.now() });
    if (again.code !== undefined && isCredentialsRejection(again.code)) {
      this.line = null;
      void this.stopLine(line, false);
      this.dispatch({ type: 'rejected', code: again.code, reason: again.reason });
      if (this.o.getCredentials && (await this.refreshCredentials())) void this.attempt('new credentials');
      return;
    }
    this.lineFailed(line, again.reason);
  }

  private onLineUp(line: Line): void {
    this.log('info', this.o.register ? 'registered' : 'connected', { centre: line.server.centre, line: line.id });
    if (this.o.register) this.dispatch({ type: 'registered', at: Date.now() });
    else this.wakeWaiters(); // a phone that only dials out is ready once connected
    this.startPings(line);
    void this.warmUpMedia();
  }

  /** Starts audio capture and WebRTC once (the first time the phone connects): the first call finds them started. */
  private async warmUpMedia(): Promise<void> {
    if (this.warmedUp || !this.o.warmUpMedia || this.calls.size > 0) return;
    this.warmedUp = true;
    try {
      if (typeof RTCPeerConnection !== 'undefined') new RTCPeerConnection({ iceServers: [] }).close();
      const stream = await this.openMicrophone();
      stream.getTracks().forEach((t) => t.stop());
    } catch (error) {
      this.log('debug', 'could not warm up audio capture and WebRTC', { error: errorText(error) });
    }
  }

  /** Opens the microphone in use (the user's choice, else the system default). */
  private openMicrophone(): Promise<MediaStream> {
    const md = typeof navigator !== 'undefined' ? navigator.mediaDevices : undefined;
    if (!md) return Promise.reject(new Error('no media devices (an insecure page?)'));
    return md.getUserMedia({ audio: this.devices.microphoneConstraints(), video: false });
  }

  /** The line in use failed: leave it (keeping its calls' audio) and try the next server. */
  private lineFailed(line: Line, reason: string): void {
    if (line !== this.line) {
      if (line.calls.size === 0) void this.stopLine(line, false);
      return;
    }
    this.log('warn', 'SIP server lost', { centre: line.server.centre, reason });
    this.line = null;
    this.stopPings();
    this.retire(line);
    if (!this.running || !this.policy) return;
    if (typeof navigator !== 'undefined' && !navigator.onLine) {
      this.dispatch({ type: 'offline' });
      return;
    }
    const from = this.serverStatus(line.index, line.server);
    const next = this.policy.failed();
    this.dispatch({ type: 'lost', reason, retryAt: next.delayMs ? Date.now() + next.delayMs : null });
    if (next.switched) this.events.emit('failover', { from, to: this.serverStatus(next.index, next.server), reason });
    this.retryTimer = setTimeout(() => void this.attempt('after failure'), next.delayMs);
    if (next.delayMs) this.wakeWaiters();
  }

  /** Stops using a line: now when it carries no call, else once its last call ends. */
  private retire(line: Line): void {
    line.closing = true;
    if (line.calls.size === 0) void this.stopLine(line, line.up);
  }

  private async stopLine(line: Line, graceful: boolean): Promise<void> {
    line.closing = true;
    this.lines.delete(line);
    for (const c of line.calls) c.abandon('the line under the call was closed');
    line.calls.clear();
    line.ua.configuration.gracefulShutdown = graceful && line.up;
    const stopped = line.ua
      .stop()
      .catch((error: unknown) => this.log('debug', 'stop failed', { error: errorText(error) }));
    // A graceful stop waits for the server's answers; never hang on a server that stopped answering.
    await Promise.race([stopped, new Promise((r) => setTimeout(r, 2_000))]);
  }

  // ---- health -------------------------------------------------------------------------------------------------------

  private readonly onOnline = () => {
    this.dispatch({ type: 'online' });
    this.log('info', 'network back online');
    if (!this.running) return;
    if (this.line?.up) void this.checkHealth('network back online');
    else if (this.policy) {
      this.policy.home();
      void this.attempt('network back online');
    }
  };

  private readonly onOffline = () => {
    this.log('warn', 'network offline');
    if (!this.running) return this.dispatch({ type: 'offline' });
    const line = this.line;
    this.line = null;
    this.generation++;
    this.stopPings();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (line) {
      for (const c of line.calls) c.signallingLost();
      this.retire(line);
    }
    this.dispatch({ type: 'offline' });
  };

  private readonly onVisibility = () => {
    if (typeof document !== 'undefined' && document.visibilityState === 'visible' && this.running)
      void this.checkHealth('page visible again');
  };

  private startWatching(): void {
    if (typeof window !== 'undefined') {
      window.addEventListener('online', this.onOnline);
      window.addEventListener('offline', this.onOffline);
    }
    if (typeof document !== 'undefined') document.addEventListener('visibilitychange', this.onVisibility);
    this.sleep.start();
    this.devices.start();
    void this.devices.refresh().catch(() => undefined);
    this.qualityTimer = setInterval(() => {
      for (const c of this.calls.values()) void c.sampleQuality().catch(() => undefined);
    }, 2_000);
    if (this.o.failbackProbeMs > 0)
      this.failbackTimer = setInterval(() => void this.probeHome(), this.o.failbackProbeMs);
  }

  private stopWatching(): void {
    if (typeof window !== 'undefined') {
      window.removeEventListener('online', this.onOnline);
      window.removeEventListener('offline', this.onOffline);
    }
    if (typeof document !== 'undefined') document.removeEventListener('visibilitychange', this.onVisibility);
    this.sleep.stop();
    this.devices.stop();
  }

  private onWake(sleptMs: number): void {
    this.log('warn', 'the clock jumped: the machine slept or the page was frozen', { sleptMs });
    this.events.emit('wake', { sleptMs });
    if (!this.running) return;
    if (this.refreshAt !== null && Date.now() >= this.refreshAt) void this.refreshCredentials();
    void this.checkHealth(`woke after about ${Math.round(sleptMs / 1000)} s`, true);
  }

  /**
   * Checks the link now (an OPTIONS round trip): on no answer the phone reconnects at once; after a sleep it also
   * registers again (the registration may have expired at the server meanwhile). Resolves true when healthy.
   */
  async checkHealth(reason = 'health check', reregister = false): Promise<boolean> {
    const line = this.line;
    if (!this.running) return false;
    if (!line?.up) {
      if (this.retryTimer || !line) void this.attempt(reason); // cut a backoff short
      return false;
    }
    const ok = await this.ping(line);
    if (this.line !== line) return false;
    if (!ok) {
      this.lineFailed(line, `${reason}: the SIP server of ${line.server.centre} did not answer`);
      return false;
    }
    if (reregister && line.registerer) {
      const r = await this.register(line);
      if (this.line !== line) return false;
      if (!r.ok) {
        this.lineFailed(line, r.reason);
        return false;
      }
      this.dispatch({ type: 'registered', at: Date.now() });
    }
    return true;
  }

  private startPings(line: Line): void {
    this.stopPings();
    this.pingTimer = setInterval(() => {
      if (this.line !== line) return;
      void this.ping(line).then((ok) => {
        if (!ok && this.line === line)
          this.lineFailed(line, `the SIP server of ${line.server.centre} stopped answering keep-alives`);
      });
    }, this.o.pingIntervalMs);
  }

  private stopPings(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
  }

  /** One OPTIONS to the server; true when any answer but 408/503 arrives within pingTimeoutMs. */
  private ping(line: Line): Promise<boolean> {
    return new Promise((resolve) => {
      const core = line.ua.userAgentCore;
      const target = UserAgent.makeURI(`sip:${this.creds!.domain}`)!;
      const me = line.ua.configuration.uri;
      let settled = false;
      let request: { dispose(): void } | undefined;
      const finish = (ok: boolean) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(ok);
      };
      const timer = setTimeout(() => {
        request?.dispose();
        finish(false);
      }, this.o.pingTimeoutMs);
      try {
        const message = core.makeOutgoingRequestMessage('OPTIONS', target, me, me, {});
        request = core.request(message, {
          onAccept: () => finish(true),
          onReject: (r) => finish(r.message.statusCode !== 408 && r.message.statusCode !== 503),
        });
      } catch {
        finish(false);
      }
    });
  }

  /** On the twin and idle: is home back? Then register there first and leave the twin. */
  private async probeHome(): Promise<void> {
    const line = this.line;
    const policy = this.policy;
    if (!this.running || !line || !policy || line.index === 0 || !line.up || this.calls.size > 0) return;
    if (this.link.registration !== 'registered') return;
    const home = this.creds!.servers[0]!;
    if (!(await webSocketOpens(home.wsUrl, this.o.connectTimeoutMs))) return;
    if (this.line !== line || this.calls.size > 0) return;
    const gen = ++this.generation;
    const next = this.createLine(0, home);
    const result = await this.bringUp(next, () => false);
    if (!result.ok || gen !== this.generation || this.line !== line || this.calls.size > 0) {
      void this.stopLine(next, result.ok);
      return;
    }
    policy.home();
    this.line = next;
    this.log('info', 'back on the home SIP server', { centre: home.centre });
    this.dispatch({ type: 'connecting', server: this.serverStatus(0, home) });
    this.dispatch({ type: 'registered', at: Date.now() });
    this.events.emit('failover', {
      from: this.serverStatus(line.index, line.server),
      to: this.serverStatus(0, home),
      reason: `the SIP server of ${home.centre} is back`,
    });
    this.startPings(next);
    this.retire(line);
  }

  // ---- credentials --------------------------------------------------------------------------------------------------

  private scheduleRefresh(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
    this.refreshAt = null;
    const delay = refreshDelayMs(this.creds?.expires);
    if (delay === null || !this.o.getCredentials) return;
    this.refreshAt = Date.now() + delay;
    this.refreshTimer = setTimeout(() => void this.refreshCredentials(), delay);
  }

  /** Asks the app for fresh credentials and uses them from the next request on. */
  async refreshCredentials(): Promise<boolean> {
    if (!this.o.getCredentials) return false;
    try {
      const fresh = SoftphoneCredentialsSchema.parse(await this.o.getCredentials());
      this.creds = fresh;
      this.policy?.setServers(fresh.servers);
      for (const l of this.lines) {
        l.ua.configuration.authorizationUsername = fresh.username ?? '';
        l.ua.configuration.authorizationPassword = fresh.password ?? '';
      }
      this.s = { ...this.s, credentialsExpire: fresh.expires ?? null };
      this.scheduleRefresh();
      this.publish();
      this.log('info', 'SIP credentials renewed', { expires: fresh.expires });
      return true;
    } catch (error) {
      this.dispatch({ type: 'error', message: `could not renew the SIP credentials: ${errorText(error)}` });
      if (this.refreshTimer) clearTimeout(this.refreshTimer);
      this.refreshTimer = setTimeout(() => void this.refreshCredentials(), 30_000);
      return false;
    }
  }

  // ---- calls --------------------------------------------------------------------------------------------------------

  private mediaOptions(): Web.SessionDescriptionHandlerOptions {
    return { constraints: { audio: true, video: false }, iceGatheringTimeout: this.o.iceGatheringTimeoutMs };
  }

  /** What a call needs from us. */
  private callHost(): CallHost {
    if (!this.creds) throw new Error('not connected');
    return {
      domain: this.creds.domain,
      hotline: this.creds.hotline ?? '95598',
      changed: (call) => {
        this.publish();
        this.events.emit('call', call.snapshot);
      },
      ended: (call) => this.onCallEnded(call),
      dtmf: (call, tone) => this.events.emit('dtmf', { callId: call.id, tone }),
      mediaOptions: () => this.mediaOptions(),
      iceServers: (this.o.iceServers ?? []).length > 0,
      speakerId: () => this.devices.state.activeSpeakerId,
      referred: (call, referral) => this.followReferral(call, referral),
      watchTrack: (track) => this.watchTrack(track),
      openMicrophone: () => this.openMicrophone(),
      log: (level, message, data) => this.log(level, message, data),
    };
  }

  private track(line: Line, call: Call): Call {
    this.calls.set(call.id, call);
    this.callLines.set(call, line);
    line.calls.add(call);
    this.publish();
    this.events.emit('call', call.snapshot);
    return call;
  }

  private onCallEnded(call: Call): void {
    this.calls.delete(call.id);
    this.ended = [...this.ended, call.snapshot].slice(-this.o.keepEndedCalls);
    const line = this.callLines.get(call);
    this.callLines.delete(call);
    if (line) {
      line.calls.delete(call);
      if (line.closing && line !== this.line && line.calls.size === 0) void this.stopLine(line, line.up);
    }
    if (![...this.calls.values()].some((c) => c.snapshot.status === 'ringing')) this.stopRinging();
    this.publish();
    this.events.emit('ended', call.snapshot);
  }

  private onInvite(line: Line, invitation: Invitation): void {
    if (line !== this.line && !this.lines.has(line)) {
      void invitation.reject({ statusCode: 480 }).catch(() => undefined);
      return;
    }
    const replaced = invitation.replacee
      ? [...this.calls.values()].find((c) => c.session === invitation.replacee)
      : undefined;
    const call = new Call(this.callHost(), invitation, 'inbound', {
      centre: line.server.centre,
      replaces: replaced?.id ?? null,
    });
    if (this.o.microphoneOnRing) call.prepareMicrophone(); // first: the device starts while the rest goes on
    this.track(line, call);
    if (replaced) {
      // The other half of an attended transfer: our consultation partner hands us their caller. Take it at once.
      this.log('info', 'call replaces a consultation call', { call: call.id, replaces: replaced.id });
      void call
        .answer()
        .catch((error: unknown) =>
          this.log('warn', 'could not take over the replaced call', { error: errorText(error) }),
        );
      return;
    }
    this.log('info', 'incoming call', { call: call.id, from: call.snapshot.remote, headers: call.snapshot.headers });
    if (![...this.calls.values()].some((c) => c !== call && c.snapshot.status === 'active')) this.startRinging();
    this.events.emit('incoming', call.snapshot);
  }

  private followReferral(call: Call, referral: Referral): void {
    const line = this.callLines.get(call) ?? this.line;
    if (!line) {
      void referral.reject().catch(() => undefined);
      return;
    }
    const target = referral.referTo.uri;
    this.log('info', 'transferred by the other side', { call: call.id, to: target.toString() });
    void referral
      .accept()
      .then(() => {
        // Routing hints the transferring agent put in the Refer-To URI (X-Twinline-Route: twin) go into our INVITE.
        const extraHeaders = Object.entries(target.headers as Record<string, string[]>)
          .filter(([name]) => name.toLowerCase().startsWith('x-twinline-'))
          .flatMap(([name, values]) => values.map((v) => `${name}: ${safeDecode(v)}`));
        const inviter = referral.makeInviter({ sessionDescriptionHandlerOptions: this.mediaOptions(), extraHeaders });
        const next = this.track(
          line,
          new Call(this.callHost(), inviter, 'outbound', {
            centre: line.server.centre,
            dialled: target.user ?? target.toString(),
            replaces: call.id,
          }),
        );
        return inviter.invite({ requestDelegate: next.inviteDelegate });
      })
      .catch((error: unknown) => this.log('warn', 'could not follow the transfer', { error: errorText(error) }));
  }

  private get(callId: string): Call {
    const call = this.calls.get(callId);
    if (!call) throw new Error(`no call ${callId}`);
    return call;
  }

  /** A live call (or the ended snapshot). */
  call(callId: string): CallSnapshot | null {
    return this.calls.get(callId)?.snapshot ?? this.ended.find((c) => c.id === callId) ?? null;
  }

  /**
   * Calls a number, an account or the hotline (`95598`, `95598*3` for menu digit 3). Extra SIP headers may be given
   * ("X-Twinline-Order: …"). Resolves with the call id once the INVITE is sent.
   */
  async dial(target: string, opts: { headers?: string[] } = {}): Promise<string> {
    const line = this.line;
    if (!line?.up) throw new Error(`cannot call: not connected (${this.s.lastError ?? this.s.registration})`);
    const uri = UserAgent.makeURI(dialUri(target, this.callHost().domain));
    if (!uri) throw new Error(`cannot call "${target}"`);
    const inviter = new Inviter(line.ua, uri, {
      sessionDescriptionHandlerOptions: this.mediaOptions(),
      extraHeaders: opts.headers ?? [],
    });
    const call = this.track(
      line,
      new Call(this.callHost(), inviter, 'outbound', { centre: line.server.centre, dialled: target.trim() }),
    );
    await inviter.invite({ requestDelegate: call.inviteDelegate });
    return call.id;
  }

  async answer(callId: string): Promise<void> {
    this.stopRinging();
    await this.get(callId).answer();
  }

  async reject(callId: string, code: 486 | 603 = 486): Promise<void> {
    await this.get(callId).reject(code);
  }

  async hangup(callId: string): Promise<void> {
    await this.get(callId).hangup();
  }

  async hold(callId: string): Promise<void> {
    await this.get(callId).setHold(true);
  }

  async resume(callId: string): Promise<void> {
    await this.get(callId).setHold(false);
  }

  mute(callId: string, muted = true): void {
    this.get(callId).setMute(muted);
  }

  /** DTMF as RTP events (RFC 4733) when negotiated, else SIP INFO; `via` forces one. */
  sendDtmf(callId: string, tones: string, via: 'auto' | 'rtp' | 'info' = 'auto'): Promise<'rtp' | 'info'> {
    return this.get(callId).sendDtmf(tones, via);
  }

  /** Blind transfer to an account, a number, a skill group (the hotline with its digit, 95598*2) or a sip: URI. */
  async transfer(callId: string, target: string): Promise<void> {
    await this.get(callId).transfer(target);
  }

  /** Blind transfer to the twin centre's hotline (optionally a skill group's menu digit). */
  async transferToTwin(callId: string, digit?: string): Promise<void> {
    await this.get(callId).transferToTwin(digit);
  }

  /** Attended transfer, step 1: hold the call and call `target` to consult; resolves with the consultation call's id. */
  async consult(callId: string, target: string): Promise<string> {
    const call = this.get(callId);
    if (!call.snapshot.held) await call.setHold(true);
    return this.dial(target);
  }

  /** Attended transfer, step 2: connect the held caller to the consultation partner (REFER with Replaces). */
  async completeTransfer(callId: string, consultId: string): Promise<void> {
    await this.get(callId).transferTo(this.get(consultId));
  }

  /** RTP counters of a call (inbound-rtp packetsReceived, outbound-rtp packetsSent, jitter, round trip). */
  stats(callId: string): Promise<RtpStats | null> {
    return this.get(callId).stats();
  }

  /** Retries playing the remote audio (after the browser blocked it), e.g. from a click. */
  playAudio(callId: string): void {
    this.get(callId).playAudio();
    if (this.s.ringer === 'blocked') this.startRinging();
  }

  /** The microphone label a call is sending from (to show, and for tests). */
  microphoneOf(callId: string): string | null {
    return this.get(callId).microphoneLabel;
  }

  // ---- ringing ------------------------------------------------------------------------------------------------------

  private startRinging(): void {
    if (typeof Audio === 'undefined') return;
    if (!this.ring) {
      if (!this.ringUrl) {
        this.ringUrl =
          this.o.ringtoneUrl ?? URL.createObjectURL(new Blob([ringToneWav() as BlobPart], { type: 'audio/wav' }));
      }
      this.ring = new Audio(this.ringUrl);
      this.ring.loop = true;
    }
    const el = this.ring as HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> };
    void el.setSinkId?.(this.devices.state.activeRingerId).catch(() => undefined);
    el.currentTime = 0;
    el.play().then(
      () => this.setRingerStatus('ringing'),
      () => this.setRingerStatus('blocked'),
    );
  }

  private stopRinging(): void {
    this.ring?.pause();
    this.setRingerStatus('idle');
  }

  private setRingerStatus(ringer: SoftphoneState['ringer']): void {
    if (this.s.ringer === ringer) return;
    this.s = { ...this.s, ringer };
    this.publish();
  }

  // ---- devices ------------------------------------------------------------------------------------------------------

  /** Lists microphones and speakers (asking for microphone permission once if labels are hidden). */
  async listDevices(askPermission = true): Promise<DeviceState> {
    return this.devices.refresh(askPermission);
  }

  /** Chooses the microphone (null = default); calls in progress switch without dropping. */
  async setMicrophone(deviceId: string | null): Promise<void> {
    this.devices.choose('microphone', deviceId);
    await this.applyDevices();
  }

  /** Chooses the speaker for calls (null = default), at once for calls in progress. */
  async setSpeaker(deviceId: string | null): Promise<void> {
    this.devices.choose('speaker', deviceId);
    await this.applyDevices();
  }

  /** Chooses where the ring tone sounds (null = default). */
  async setRinger(deviceId: string | null): Promise<void> {
    this.devices.choose('ringer', deviceId);
    await this.applyDevices();
  }

  private onDevices(_state: DeviceState, notices: DeviceNotice[]): void {
    for (const n of notices) {
      this.log('warn', n.message, { kind: n.kind });
      this.events.emit('device', n);
    }
    this.publish();
    if (notices.length) void this.applyDevices();
  }

  /** Brings calls and the ringer onto the devices now in use (after a choice or a fallback). */
  private async applyDevices(): Promise<void> {
    const d = this.devices.state;
    const calls = [...this.calls.values()].filter((c) => c.snapshot.status === 'active');
    if (d.activeSpeakerId !== this.applied.speaker) {
      this.applied.speaker = d.activeSpeakerId;
      await Promise.all(calls.map((c) => c.setSpeaker(d.activeSpeakerId).catch(() => undefined)));
    }
    if (d.activeRingerId !== this.applied.ringer) {
      this.applied.ringer = d.activeRingerId;
      const el = this.ring as (HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> }) | null;
      await el?.setSinkId?.(d.activeRingerId).catch(() => undefined);
    }
    const micGone = calls.some((c) => c.microphoneTrack?.readyState === 'ended');
    if (d.activeMicrophoneId !== this.applied.microphone || micGone) {
      this.applied.microphone = d.activeMicrophoneId;
      // A call still ringing opened the previous microphone: answering it opens the one in use now.
      for (const c of this.calls.values()) if (c.snapshot.status === 'ringing') c.releaseMicrophone();
      for (const c of calls) {
        try {
          const stream = await this.openMicrophone();
          await c.setMicrophone(stream);
        } catch (error) {
          this.dispatch({ type: 'error', message: `could not switch the microphone: ${errorText(error)}` });
        }
      }
    }
    this.publish();
  }

  /** A microphone track that ends (device unplugged) makes the phone look at the devices again. */
  private watchTrack(track: MediaStreamTrack): void {
    track.addEventListener('ended', () => {
      if (this.running) void this.devices.refresh().then(() => this.applyDevices());
    });
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text).replace(/[\r\n]/g, '');
  } catch {
    return text.replace(/[\r\n]/g, '');
  }
}

function randomUuid(): string {
  return typeof crypto !== 'undefined' && 'randomUUID' in crypto
    ? crypto.randomUUID()
    : '10000000-1000-4000-8000-100000000000'.replace(/[018]/g, (c) =>
        (Number(c) ^ ((Math.random() * 16) >> (Number(c) / 4))).toString(16),
      );
}

/** Opens and closes a SIP WebSocket: is the server there? */
function webSocketOpens(url: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let ws: WebSocket;
    try {
      ws = new WebSocket(url, 'sip');
    } catch {
      resolve(false);
      return;
    }
    const timer = setTimeout(() => done(false), timeoutMs);
    function done(ok: boolean) {
      clearTimeout(timer);
      ws.onopen = ws.onerror = ws.onclose = null;
      try {
        ws.close();
      } catch {
        // closing anyway
      }
      resolve(ok);
    }
    ws.onopen = () => done(true);
    ws.onerror = () => done(false);
    ws.onclose = () => done(false);
  });
}
