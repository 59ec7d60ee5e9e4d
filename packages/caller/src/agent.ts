// A bare agent phone: sign in at a centre (POST /api/login, then /api/sip/credentials, asked again before they
// expire), register, take and make calls. For the demo until the console shows the softphone, and for the tests
// (data-testid elements, window.twinlineAgent). URL parameters: centre (the centre's HTTP address).
import { Softphone } from '@twinline/softphone';
import type { CallSnapshot, DeviceState, SoftphoneState } from '@twinline/softphone';
import { $, callTimer, describeCall, keypad, rtpCounter } from './ui';

const params = new URLSearchParams(location.search);
const ui = {
  form: $<HTMLFormElement>('signin'),
  centre: $<HTMLInputElement>('centre'),
  username: $<HTMLInputElement>('username'),
  password: $<HTMLInputElement>('password'),
  registration: $('registration'),
  server: $('server'),
  error: $('error'),
  dialTarget: $<HTMLInputElement>('dial-target'),
  callStatus: $('call-status'),
  callFrom: $('call-from'),
  callInfo: $('call-info'),
  transferTarget: $<HTMLInputElement>('transfer-target'),
  microphone: $<HTMLSelectElement>('microphone'),
  speaker: $<HTMLSelectElement>('speaker'),
  ringer: $<HTMLSelectElement>('ringer'),
  deviceNotice: $('device-notice'),
  calls: $('calls'),
};
ui.centre.value = params.get('centre') ?? ui.centre.value;

// ?ping=<ms>: keep-alive period, ?failback=<ms>: how often to probe home while on the twin (tests shorten both).
const ping = Number(params.get('ping'));
const failback = Number(params.get('failback'));
// ?trace=1 logs every SIP message to the console.
const trace = params.get('trace') === '1';
const phone = new Softphone({
  ...(ping > 0 ? { pingIntervalMs: ping, pingTimeoutMs: Math.min(3000, ping) } : {}),
  ...(failback > 0 ? { failbackProbeMs: failback } : {}),
  sipTrace: trace,
  log: trace ? (level, message) => console.log(`[${level}] ${message}`) : undefined,
});

/** The call the buttons act on: the one ringing, else the newest live one. */
function currentCall(s: SoftphoneState = phone.state): CallSnapshot | null {
  const live = s.calls.filter((c) => c.status !== 'ended');
  return live.find((c) => c.status === 'ringing') ?? live.at(-1) ?? null;
}

function fillSelect(select: HTMLSelectElement, devices: DeviceState['microphones'], chosen: string): void {
  const options = [{ deviceId: '', label: 'System default' }, ...devices];
  const key = options.map((d) => `${d.deviceId}=${d.label}`).join('|');
  if (select.dataset.key !== key) {
    select.replaceChildren(
      ...options.map((d) => {
        const o = document.createElement('option');
        o.value = d.deviceId;
        o.textContent = d.label;
        return o;
      }),
    );
    select.dataset.key = key;
  }
  select.value = chosen;
}

function render(s: SoftphoneState): void {
  ui.registration.textContent = s.registration;
  ui.registration.dataset.state = s.registration;
  ui.server.textContent = s.server ? `${s.server.centre} (${s.server.home ? 'home' : 'twin'})` : '';
  ui.server.dataset.centre = s.server?.centre ?? '';
  ui.error.textContent = s.lastError ?? '';
  const call = currentCall(s) ?? s.calls.at(-1) ?? null;
  ui.callStatus.textContent = call ? describeCall(call) : 'no call';
  ui.callStatus.dataset.status = call?.status ?? 'none';
  ui.callFrom.textContent = call ? `${call.remote}${call.remoteName ? ` (${call.remoteName})` : ''}` : '';
  ui.callInfo.replaceChildren(
    ...Object.entries(call?.headers ?? {}).map(([name, value]) => {
      const li = document.createElement('li');
      li.textContent = `${name}: ${value}`;
      return li;
    }),
  );
  ui.calls.replaceChildren(
    ...s.calls.map((c) => {
      const li = document.createElement('li');
      li.textContent = `${c.direction === 'inbound' ? '←' : '→'} ${c.remote} · ${describeCall(c)}`;
      li.dataset.status = c.status;
      return li;
    }),
  );
  fillSelect(ui.microphone, s.devices.microphones, s.devices.microphoneId);
  fillSelect(ui.speaker, s.devices.speakers, s.devices.speakerId);
  fillSelect(ui.ringer, s.devices.speakers, s.devices.ringerId);
  ui.deviceNotice.textContent = s.devices.notice ?? '';
  rtp.follow(call?.status === 'active' ? call.id : null);
  timer.follow(call);
}

const rtp = rtpCounter(phone, $('rtp-in'), $('rtp-out'), $('quality'));
const timer = callTimer($('call-timer'));
phone.subscribe(render);

async function post(url: string, body: unknown, token?: string): Promise<unknown> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body ?? {}),
  });
  const json = (await res.json().catch(() => ({}))) as { error?: string };
  if (!res.ok) throw new Error(`${url}: ${res.status} ${json.error ?? ''}`);
  return json;
}

/** Signs in at a centre and registers the phone with the credentials it issues (renewed through the centre). */
async function signIn(centre: string, username: string, password: string): Promise<SoftphoneState> {
  const base = centre.replace(/\/$/, '');
  const { token } = (await post(`${base}/api/login`, { username, password })) as { token: string };
  const credentials = () => post(`${base}/api/sip/credentials`, {}, token);
  return connectWith(await credentials(), credentials);
}

/** Registers with given credentials (tests pass ones they fetched, or spoiled ones). */
function connectWith(credentials: unknown, renew?: () => Promise<unknown>): Promise<SoftphoneState> {
  return phone.connect(credentials, { getCredentials: renew });
}

function act(f: () => Promise<unknown>): void {
  f().catch((error: unknown) => (ui.error.textContent = error instanceof Error ? error.message : String(error)));
}
const onCall = (f: (id: string) => Promise<unknown> | void) => () =>
  act(async () => {
    const call = currentCall();
    if (call) await f(call.id);
  });

ui.form.addEventListener('submit', (e) => {
  e.preventDefault();
  act(() => signIn(ui.centre.value, ui.username.value.trim(), ui.password.value));
});
$('dial').addEventListener('click', () => act(() => phone.dial(ui.dialTarget.value)));
$('answer').addEventListener(
  'click',
  onCall((id) => phone.answer(id)),
);
$('reject').addEventListener(
  'click',
  onCall((id) => phone.reject(id, 486)),
);
$('hangup').addEventListener(
  'click',
  onCall((id) => phone.hangup(id)),
);
$('hold').addEventListener(
  'click',
  onCall((id) => phone.hold(id)),
);
$('resume').addEventListener(
  'click',
  onCall((id) => phone.resume(id)),
);
$('mute').addEventListener(
  'click',
  onCall((id) => phone.mute(id, true)),
);
$('unmute').addEventListener(
  'click',
  onCall((id) => phone.mute(id, false)),
);
$('transfer').addEventListener(
  'click',
  onCall((id) => phone.transfer(id, ui.transferTarget.value)),
);
$('transfer-twin').addEventListener(
  'click',
  onCall((id) => phone.transferToTwin(id)),
);
keypad($('keypad'), 'agent-key', (tone) => onCall((id) => phone.sendDtmf(id, tone))());
ui.microphone.addEventListener('change', () => act(() => phone.setMicrophone(ui.microphone.value || null)));
ui.speaker.addEventListener('change', () => act(() => phone.setSpeaker(ui.speaker.value || null)));
ui.ringer.addEventListener('change', () => act(() => phone.setRinger(ui.ringer.value || null)));

declare global {
  interface Window {
    twinlineAgent: {
      phone: Softphone;
      signIn: typeof signIn;
      connectWith: typeof connectWith;
      current: () => CallSnapshot | null;
    };
  }
}
window.twinlineAgent = { phone, signIn, connectWith, current: () => currentCall() };
