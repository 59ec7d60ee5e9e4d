// One call: a sip.js Session (an Inviter we placed or an Invitation we received) with what the console shows of it
// as a plain snapshot, and the operations on it: answer, reject, hang up, hold, mute, DTMF, transfers, statistics.
import { Invitation, Inviter, SessionState, UserAgent, Web } from 'sip.js';
import type { Core, Info, Notification, Referral, Session } from 'sip.js';
import { iceSettler } from './ice';
import { quality, summariseStats } from './rtp-stats';
import type { Quality, RtpStats, StatsEntry } from './rtp-stats';
import {
  checkDtmf,
  dialUri,
  displayNumber,
  dtmfFromInfo,
  dtmfInfoBody,
  sdpAudioDirection,
  sipfragStatus,
  twinlineHeaders,
} from './sip-text';

/** Why a call ended. */
export const CALL_END_CAUSES = [
  'remote_hangup', // the other side hung up
  'local_hangup', // hung up here
  'local_hangup_unsignalled', // hung up here while the SIP server was gone: the other side may not have been told
  'refused', // the far end or the SIP server refused the call (endCode says how)
  'rejected_busy', // refused here as busy (486)
  'declined', // declined here (603)
  'transferred', // handed to someone else (blind or attended transfer)
  'line_closed', // the line under the call was closed
  'ended', // ended, no more is known
] as const;
export type CallEndCause = (typeof CALL_END_CAUSES)[number];

export type CallDirection = 'inbound' | 'outbound';
/** ringing: an inbound call not answered yet; dialing: an outbound call not answered yet; active: talking. */
export type CallStatus = 'ringing' | 'dialing' | 'active' | 'ended';

export interface TransferStatus {
  /** What the call was transferred to (a number, an account, the hotline with a digit, or "consult" for attended). */
  target: string;
  kind: 'blind' | 'attended';
  /** pending: REFER sent; accepted: the other side agreed (202); trying/succeeded/failed from its NOTIFYs. */
  status: 'pending' | 'accepted' | 'trying' | 'succeeded' | 'failed';
  code: number | null;
}

export interface CallSnapshot {
  /** The softphone's id of the call (sip.js: Call-ID plus a tag). */
  id: string;
  /** The SIP Call-ID, as the centre knows the call (wrap-ups, reports). */
  sipCallId: string;
  direction: CallDirection;
  /** The other party: the caller's number (inbound) or what we dialled (outbound). */
  remote: string;
  remoteName: string | null;
  /** The number this call was made to: e.g. 95598*3 (the caller's dial), or the agent's account (inbound). */
  dialled: string;
  status: CallStatus;
  /** An outbound call heard 180/183 (the far end rings). */
  remoteRinging: boolean;
  /** We put it on hold. */
  held: boolean;
  /** The other side put us on hold (its re-INVITE offered sendonly or inactive). */
  remoteHeld: boolean;
  muted: boolean;
  /** Every X-Twinline-* header of the incoming INVITE, as received. */
  headers: Record<string, string>;
  /** The same values by lower-case suffix: queue, group, region, … (whatever the centre or Kamailio add). */
  info: Record<string, string>;
  /** The centre whose SIP server carried the call. */
  centre: string;
  /** lost: the SIP server of this call went away; audio may still flow (it is peer to peer) until either side ends. */
  signalling: 'ok' | 'lost';
  /** Call timer data (epoch ms). */
  startedAt: number;
  answeredAt: number | null;
  endedAt: number | null;
  endReason: string | null;
  /** Why it ended, for the console to say in its own language (endReason is the English detail, for logs). */
  endCause: CallEndCause | null;
  /** The SIP code that ended it when there was one (486, 487, 603, …). */
  endCode: number | null;
  /** The remote audio: playing on the speaker, or blocked by the browser's autoplay policy until a user gesture. */
  audio: 'none' | 'playing' | 'blocked';
  /** Audio quality over the last few seconds (silent: no packets arriving). */
  quality: Quality | null;
  /** DTMF tones we sent (RTP events as the sender played them, or INFO) and received (INFO). */
  dtmfSent: string;
  dtmfReceived: string;
  transfer: TransferStatus | null;
  /** This call replaced another one of ours (the target side of an attended transfer, or a REFER we followed). */
  replaces: string | null;
}

/** Session description handler options, with the microphone a ringing call opened ahead (Call.prepareMicrophone). */
export interface MediaOptions extends Web.SessionDescriptionHandlerOptions {
  microphone?: Promise<MediaStream | null>;
}

/** What a call needs from the softphone that owns it. */
export interface CallHost {
  /** The SIP domain calls are made in, and the hotline number. */
  readonly domain: string;
  readonly hotline: string;
  changed(call: Call): void;
  ended(call: Call): void;
  dtmf(call: Call, tone: string): void;
  /** Session description handler options for a new offer or answer (audio constraints, ICE timeout). */
  mediaOptions(): Web.SessionDescriptionHandlerOptions;
  /** STUN/TURN servers are configured (ICE gathering then waits for their candidates). */
  readonly iceServers: boolean;
  /** The speaker's deviceId ('' = default). */
  speakerId(): string;
  /** The other side asked us to call someone else (REFER): the softphone places that call. */
  referred(call: Call, referral: Referral): void;
  /** Watches a microphone track (a headset unplugged ends it). */
  watchTrack(track: MediaStreamTrack): void;
  /** Opens the microphone in use (getUserMedia with the user's choice). */
  openMicrophone(): Promise<MediaStream>;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string, data?: Record<string, unknown>): void;
}

type MediaWithSink = HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> };

export class Call {
  private snap: CallSnapshot;
  private endHint: { reason: string; code: number | null; cause: CallEndCause } | null = null;
  private audioEl: MediaWithSink | null = null;
  private lastStats: RtpStats | null = null;
  private dtmfHooked = false;
  /** The microphone opened while the call rang, handed to the answer (or closed when the call ends unanswered). */
  private earlyMicrophone: Promise<MediaStream | null> | null = null;

  constructor(
    private readonly host: CallHost,
    readonly session: Session,
    direction: CallDirection,
    opts: { centre: string; dialled?: string; replaces?: string | null; now?: number },
  ) {
    const remote = session.remoteIdentity;
    const fromHeaders = session instanceof Invitation ? twinlineHeaders(session.request.headers) : null;
    this.snap = {
      id: session.id,
      sipCallId:
        session instanceof Invitation
          ? session.request.callId
          : session instanceof Inviter
            ? session.request.callId
            : session.id,
      direction,
      remote:
        direction === 'inbound' ? displayNumber(remote.uri.user) : (opts.dialled ?? displayNumber(remote.uri.user)),
      remoteName: remote.displayName || null,
      dialled:
        direction === 'inbound'
          ? displayNumber((session as Invitation).request.ruri?.user ?? session.localIdentity.uri.user)
          : (opts.dialled ?? ''),
      status: direction === 'inbound' ? 'ringing' : 'dialing',
      remoteRinging: false,
      held: false,
      remoteHeld: false,
      muted: false,
      headers: fromHeaders?.headers ?? {},
      info: fromHeaders?.info ?? {},
      centre: opts.centre,
      signalling: 'ok',
      startedAt: opts.now ?? Date.now(),
      answeredAt: null,
      endedAt: null,
      endReason: null,
      endCause: null,
      endCode: null,
      audio: 'none',
      quality: null,
      dtmfSent: '',
      dtmfReceived: '',
      transfer: null,
      replaces: opts.replaces ?? null,
    };
    session.delegate = {
      onBye: (bye) => {
        this.endHint ??= { reason: 'hung up by the other side', code: null, cause: 'remote_hangup' };
        void bye.accept().catch(() => undefined);
      },
      onInfo: (info) => this.onInfo(info),
      onInvite: (request) => {
        // A re-INVITE: the other side holding us offers sendonly (or inactive); resuming offers sendrecv again.
        const direction = sdpAudioDirection(request.body ?? '');
        this.update({ remoteHeld: direction === 'sendonly' || direction === 'inactive' });
      },
      onRefer: (referral) => this.host.referred(this, referral),
      onSessionDescriptionHandler: (sdh) => {
        if (sdh instanceof Web.SessionDescriptionHandler) this.hookIce(sdh);
      },
    };
    session.stateChange.addListener((state) => this.onState(state));
  }

  get id(): string {
    return this.snap.id;
  }

  get snapshot(): CallSnapshot {
    return this.snap;
  }

  get isOver(): boolean {
    return this.snap.status === 'ended';
  }

  private update(patch: Partial<CallSnapshot>): void {
    if (this.snap.status === 'ended' && patch.status === undefined) return;
    this.snap = { ...this.snap, ...patch };
    this.host.changed(this);
  }

  private get sdh(): Web.SessionDescriptionHandler | null {
    const sdh = this.session.sessionDescriptionHandler;
    return sdh instanceof Web.SessionDescriptionHandler ? sdh : null;
  }

  private get pc(): RTCPeerConnection | null {
    return this.sdh?.peerConnection ?? null;
  }

  /** Sends the SDP as soon as the candidates that matter are in (see iceSettler), not after Chromium's TCP ones. */
  private hookIce(sdh: Web.SessionDescriptionHandler): void {
    const seen = iceSettler(this.host.iceServers, () => sdh.iceGatheringComplete());
    sdh.peerConnectionDelegate = {
      onicecandidate: (event) => {
        if (event.candidate) seen(event.candidate);
      },
    };
  }

  private onState(state: SessionState): void {
    this.host.log('debug', 'call state', { call: this.id, state });
    if (state === SessionState.Established) {
      this.update({ status: 'active', answeredAt: Date.now() });
      this.attachAudio();
      this.hookDtmf();
      this.applyTracks();
    } else if (state === SessionState.Terminated) {
      // sip.js ends a refused outbound session before it hands the refusal (486, 503 …) to the request delegate:
      // wait one microtask so the reason and the code the far end gave are known when the call ends.
      queueMicrotask(() => {
        const hint = this.endHint ?? { reason: 'ended', code: null, cause: 'ended' };
        this.finish(hint.reason, hint.code, hint.cause);
      });
    }
  }

  /** Outbound: the INVITE's responses (ringing, refusal). Passed to Inviter.invite as its request delegate. */
  readonly inviteDelegate = {
    onProgress: (response: Core.IncomingResponse) => {
      const code = response.message.statusCode ?? 0;
      if (code === 180 || code === 183) this.update({ remoteRinging: true });
    },
    onReject: (response: Core.IncomingResponse) => {
      const code = response.message.statusCode ?? 0;
      this.endHint = {
        reason: `refused: ${code} ${response.message.reasonPhrase ?? ''}`.trim(),
        code,
        cause: 'refused',
      };
    },
  };

  // ---- answering and ending --------------------------------------------------------------------------------------

  /**
   * An incoming call: opens the microphone now, while it rings, so that answering does not wait for the device (a
   * headset can take a while to start, a Bluetooth one switches profile). Closed again if the call is not answered.
   */
  prepareMicrophone(): void {
    if (!(this.session instanceof Invitation) || this.earlyMicrophone || this.isOver) return;
    this.earlyMicrophone = this.host.openMicrophone().catch((error: unknown) => {
      this.host.log('debug', 'could not open the microphone while ringing', { call: this.id, error: String(error) });
      return null; // answering opens it again, and reports the error then
    });
  }

  /** Closes the microphone opened while ringing (another one was chosen meanwhile: answering opens that one). */
  releaseMicrophone(): void {
    const early = this.earlyMicrophone;
    this.earlyMicrophone = null;
    void early?.then((stream) => stream?.getTracks().forEach((t) => t.stop()));
  }

  async answer(): Promise<void> {
    if (!(this.session instanceof Invitation)) throw new Error('only an incoming call can be answered');
    if (this.session.state !== SessionState.Initial) throw new Error(`call ${this.id} cannot be answered now`);
    const options: MediaOptions = { ...this.host.mediaOptions() };
    if (this.earlyMicrophone) options.microphone = this.earlyMicrophone;
    await this.session.accept({ sessionDescriptionHandlerOptions: options });
  }

  /** Refuses an incoming call: 486 Busy Here (busy) or 603 Decline (does not want it). */
  async reject(code: 486 | 603 = 486): Promise<void> {
    if (!(this.session instanceof Invitation)) throw new Error('only an incoming call can be rejected');
    this.endHint =
      code === 486
        ? { reason: 'rejected here: busy', code, cause: 'rejected_busy' }
        : { reason: 'declined here', code, cause: 'declined' };
    await this.session.reject({ statusCode: code, reasonPhrase: code === 486 ? 'Busy Here' : 'Decline' });
  }

  /** Ends the call whatever its state: cancel while dialing, decline while ringing, BYE when talking. */
  async hangup(): Promise<void> {
    if (this.isOver) return;
    this.endHint ??= { reason: 'hung up here', code: null, cause: 'local_hangup' };
    const s = this.session;
    if (this.snap.signalling === 'lost') {
      // The SIP server is gone: no BYE can be delivered. Stop our media and say so.
      this.finish(
        'hung up here (the SIP server was gone, the other side was not told)',
        null,
        'local_hangup_unsignalled',
      );
      return;
    }
    try {
      if (s.state === SessionState.Established) await s.bye();
      else if (s instanceof Inviter && (s.state === SessionState.Initial || s.state === SessionState.Establishing))
        await s.cancel();
      else if (s instanceof Invitation && s.state === SessionState.Initial) await this.reject(603);
    } catch (error) {
      this.host.log('warn', 'hang up failed; ending locally', { call: this.id, error: String(error) });
      this.finish('hung up here (the other side may not have been told)', null, 'local_hangup_unsignalled');
    }
  }

  /** The SIP server that carried this call is gone. */
  signallingLost(): void {
    if (!this.isOver) this.update({ signalling: 'lost' });
  }

  /** Ends it here without telling anyone (the line under it is being dropped). */
  abandon(reason: string): void {
    if (!this.isOver) this.finish(reason, null, 'line_closed');
  }

  private finish(reason: string, code: number | null, cause: CallEndCause): void {
    if (this.snap.status === 'ended') return;
    if (this.audioEl) {
      this.audioEl.pause();
      this.audioEl.srcObject = null;
      this.audioEl = null;
    }
    try {
      this.sdh?.close();
    } catch {
      // already closed
    }
    this.releaseMicrophone(); // unanswered; or answered, and its tracks are stopped already (stopping is idempotent)
    this.snap = {
      ...this.snap,
      status: 'ended',
      endedAt: Date.now(),
      endReason: reason,
      endCause: cause,
      endCode: code,
      quality: null,
    };
    this.host.changed(this);
    this.host.ended(this);
  }

  // ---- hold, mute, audio ------------------------------------------------------------------------------------------

  /** Hold (true) or resume (false) with a re-INVITE; our microphone and speaker stop while held. */
  async setHold(hold: boolean): Promise<void> {
    if (this.snap.held === hold) return;
    const s = this.session;
    if (s.state !== SessionState.Established) throw new Error('only a connected call can be held');
    const before = s.sessionDescriptionHandlerOptionsReInvite as Web.SessionDescriptionHandlerOptions;
    const holding: Web.SessionDescriptionHandlerOptions = { ...this.host.mediaOptions(), ...before, hold };
    s.sessionDescriptionHandlerOptionsReInvite = holding;
    await new Promise<void>((resolve, reject) => {
      s.invite({
        requestDelegate: {
          onAccept: () => resolve(),
          onReject: (r) => reject(new Error(`re-INVITE refused: ${r.message.statusCode} ${r.message.reasonPhrase}`)),
        },
      }).catch(reject);
    }).catch((error: unknown) => {
      const restored: Web.SessionDescriptionHandlerOptions = { ...before, hold: !hold };
      s.sessionDescriptionHandlerOptionsReInvite = restored;
      throw error;
    });
    this.update({ held: hold });
    this.applyTracks();
  }

  setMute(muted: boolean): void {
    this.update({ muted });
    this.applyTracks();
  }

  private applyTracks(): void {
    const pc = this.pc;
    if (!pc) return;
    for (const sender of pc.getSenders()) {
      if (sender.track?.kind === 'audio') sender.track.enabled = !this.snap.held && !this.snap.muted;
    }
    for (const receiver of pc.getReceivers()) {
      if (receiver.track.kind === 'audio') receiver.track.enabled = !this.snap.held;
    }
  }

  private attachAudio(): void {
    const sdh = this.sdh;
    if (!sdh || typeof Audio === 'undefined') return;
    const el = new Audio() as MediaWithSink;
    el.autoplay = true;
    el.srcObject = sdh.remoteMediaStream;
    this.audioEl = el;
    void this.setSpeaker(this.host.speakerId());
    this.playAudio();
  }

  /** Starts the remote audio (again), e.g. from a click after the browser blocked autoplay. */
  playAudio(): void {
    const el = this.audioEl;
    if (!el) return;
    el.play().then(
      () => this.update({ audio: 'playing' }),
      (error: unknown) => {
        this.host.log('warn', 'remote audio blocked', { call: this.id, error: String(error) });
        this.update({ audio: 'blocked' });
      },
    );
  }

  /** Plays the other side on this output device ('' = default); no-op where setSinkId is missing. */
  async setSpeaker(deviceId: string): Promise<void> {
    const el = this.audioEl;
    if (!el?.setSinkId) return;
    await el.setSinkId(deviceId);
  }

  /** Swaps our microphone without renegotiating (RTCRtpSender.replaceTrack); the call stays up. */
  async setMicrophone(stream: MediaStream): Promise<void> {
    const pc = this.pc;
    const sdh = this.sdh;
    const track = stream.getAudioTracks()[0];
    if (!pc || !sdh || !track) {
      stream.getTracks().forEach((t) => t.stop());
      return;
    }
    const sender = pc.getSenders().find((s) => s.track?.kind === 'audio' || (s.track === null && s.dtmf));
    if (!sender) {
      track.stop();
      return;
    }
    track.enabled = !this.snap.held && !this.snap.muted;
    const old = sender.track;
    await sender.replaceTrack(track);
    const local = sdh.localMediaStream;
    if (old) {
      local.removeTrack(old);
      old.stop();
    }
    local.addTrack(track);
    this.host.watchTrack(track);
    this.host.log('info', 'microphone changed during the call', { call: this.id, label: track.label });
  }

  /** The label of the microphone this call sends (for the console, and tests). */
  get microphoneLabel(): string | null {
    return this.pc?.getSenders().find((s) => s.track?.kind === 'audio')?.track?.label ?? null;
  }

  get microphoneTrack(): MediaStreamTrack | null {
    return this.pc?.getSenders().find((s) => s.track?.kind === 'audio')?.track ?? null;
  }

  // ---- DTMF -------------------------------------------------------------------------------------------------------

  private hookDtmf(): void {
    if (this.dtmfHooked) return;
    const dtmf = this.pc?.getSenders().find((s) => s.dtmf)?.dtmf;
    if (!dtmf) return;
    this.dtmfHooked = true;
    dtmf.addEventListener('tonechange', (e) => {
      const tone = (e as RTCDTMFToneChangeEvent).tone;
      if (tone && tone !== ',') this.update({ dtmfSent: this.snap.dtmfSent + tone });
    });
  }

  /**
   * Sends DTMF: as RTP telephone events (RFC 4733, RTCRtpSender.dtmf) when the call negotiated them, else as SIP INFO
   * (application/dtmf-relay). Returns how they went.
   */
  async sendDtmf(tones: string, via: 'auto' | 'rtp' | 'info' = 'auto'): Promise<'rtp' | 'info'> {
    const t = checkDtmf(tones);
    if (this.session.state !== SessionState.Established) throw new Error('DTMF needs a connected call');
    if (via !== 'info') {
      this.hookDtmf();
      const dtmf = this.pc?.getSenders().find((s) => s.dtmf)?.dtmf;
      if (dtmf?.canInsertDTMF) {
        dtmf.insertDTMF(dtmf.toneBuffer + t, 100, 70);
        return 'rtp';
      }
      if (via === 'rtp') throw new Error('this call cannot send RTP DTMF');
    }
    for (const tone of t) {
      if (tone === ',') {
        await new Promise((r) => setTimeout(r, 2000));
        continue;
      }
      await this.session.info({
        requestOptions: {
          body: {
            contentDisposition: 'render',
            contentType: 'application/dtmf-relay',
            content: dtmfInfoBody(tone, 160),
          },
        },
      });
      this.update({ dtmfSent: this.snap.dtmfSent + tone });
    }
    return 'info';
  }

  private onInfo(info: Info): void {
    const tone = dtmfFromInfo(info.request.getHeader('content-type'), info.request.body);
    void info.accept().catch(() => undefined);
    if (!tone) return;
    this.update({ dtmfReceived: this.snap.dtmfReceived + tone });
    this.host.dtmf(this, tone);
  }

  // ---- transfers --------------------------------------------------------------------------------------------------

  /**
   * Blind transfer: REFER the other side to `target` (an account, a number, the hotline with a skill-group digit
   * such as 95598*2, or a sip: URI). When the other side reports the new call answered, this one is hung up.
   */
  async transfer(target: string): Promise<void> {
    const uri = UserAgent.makeURI(dialUri(target, this.host.domain));
    if (!uri) throw new Error(`cannot transfer to "${target}"`);
    await this.refer(uri, { target, kind: 'blind' });
  }

  /**
   * Blind transfer to the twin centre's hotline (optionally a skill group's menu digit): the REFER names the hotline
   * with an `X-Twinline-Route: twin` header, which the caller's phone copies into its INVITE and Kamailio relays to
   * the twin's SIP server (kamailio.cfg, route[TO_TWIN]).
   */
  async transferToTwin(digit?: string): Promise<void> {
    if (digit !== undefined && !/^[0-9]{1,4}$/.test(digit)) throw new Error(`not a menu digit: ${digit}`);
    const number = digit ? `${this.host.hotline}*${digit}` : this.host.hotline;
    const uri = UserAgent.makeURI(dialUri(number, this.host.domain));
    if (!uri) throw new Error('cannot make the twin hotline address');
    uri.setHeader('X-Twinline-Route', 'twin');
    // sip.js writes a URI target bare into Refer-To; with a header part ("?…") it must be in angle brackets, or
    // the receiver cannot parse it (RFC 3261 20.10). Still a URI to sip.js, printing itself bracketed.
    const bracketed = Object.create(uri, { toString: { value: () => `<${uri.toString()}>` } }) as typeof uri;
    await this.refer(bracketed, { target: `twin:${number}`, kind: 'blind' });
  }

  /** Attended transfer: REFER the other side to the party of `consult` (Replaces), completing a consultation. */
  async transferTo(consult: Call): Promise<void> {
    if (consult.session.state !== SessionState.Established) throw new Error('the consultation call is not connected');
    await this.refer(consult.session, { target: consult.snap.remote, kind: 'attended' });
  }

  private async refer(to: Parameters<Session['refer']>[0], t: Pick<TransferStatus, 'target' | 'kind'>): Promise<void> {
    if (this.session.state !== SessionState.Established) throw new Error('only a connected call can be transferred');
    this.update({ transfer: { ...t, status: 'pending', code: null } });
    await new Promise<void>((resolve, reject) => {
      this.session
        .refer(to, {
          requestDelegate: {
            onAccept: () => {
              this.setTransfer('accepted', 202);
              resolve();
            },
            onReject: (r) => {
              const code = r.message.statusCode ?? 0;
              this.setTransfer('failed', code);
              reject(new Error(`transfer refused: ${code} ${r.message.reasonPhrase ?? ''}`.trim()));
            },
          },
          onNotify: (n) => this.onReferNotify(n),
        })
        .catch(reject);
    });
  }

  private setTransfer(status: TransferStatus['status'], code: number | null): void {
    if (this.snap.transfer) this.update({ transfer: { ...this.snap.transfer, status, code } });
  }

  private onReferNotify(n: Notification): void {
    void n.accept().catch(() => undefined);
    const code = sipfragStatus(n.request.body);
    if (code === null) return;
    if (code < 200) this.setTransfer('trying', code);
    else if (code < 300) {
      this.setTransfer('succeeded', code);
      this.endHint = {
        reason: `transferred to ${this.snap.transfer?.target ?? 'another party'}`,
        code: null,
        cause: 'transferred',
      };
      void this.hangup();
    } else this.setTransfer('failed', code);
  }

  // ---- statistics -------------------------------------------------------------------------------------------------

  /** RTP counters of this call now (null before media exists). */
  async stats(): Promise<RtpStats | null> {
    const pc = this.pc;
    if (!pc) return null;
    const report = await pc.getStats();
    const entries: StatsEntry[] = [];
    report.forEach((e: StatsEntry) => entries.push(e));
    return summariseStats(entries);
  }

  /** Updates the quality indicator from fresh statistics (called every few seconds while connected). */
  async sampleQuality(): Promise<void> {
    if (this.snap.status !== 'active') return;
    const next = await this.stats();
    if (!next) return;
    const q = this.snap.held ? this.snap.quality : quality(this.lastStats, next);
    this.lastStats = next;
    if (q !== this.snap.quality) this.update({ quality: q });
  }
}
