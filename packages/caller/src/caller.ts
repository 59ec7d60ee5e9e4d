// The simulated customer telephone: the softphone core without credentials, registered under the customer's number
// in the simulated telephone network's domain (kamailio.cfg route[PSTN]), calling the hotline with an optional menu
// digit. URL parameters: ws (a centre's SIP WebSocket), number, digit, domain, pstn, hotline, register=0.
// Tests drive it through the data-testid elements and window.twinlineCaller.
import { Softphone } from '@twinline/softphone';
import type { CallSnapshot, SoftphoneState } from '@twinline/softphone';
import { $, callTimer, describeCall, keypad, rtpCounter } from './ui';

const params = new URLSearchParams(location.search);
const config = {
  server: params.get('ws') ?? 'ws://127.0.0.1:5480',
  number: params.get('number') ?? '05922123456',
  digit: params.get('digit') ?? '',
  domain: params.get('domain') ?? 'hotline.twinline',
  pstn: params.get('pstn') ?? 'pstn.twinline',
  hotline: params.get('hotline') ?? '95598',
  register: params.get('register') !== '0',
};

const ui = {
  server: $<HTMLInputElement>('server'),
  number: $<HTMLInputElement>('number'),
  digit: $<HTMLSelectElement>('digit'),
  connect: $<HTMLButtonElement>('connect'),
  registration: $('registration'),
  call: $<HTMLButtonElement>('call'),
  answer: $<HTMLButtonElement>('answer'),
  hangup: $<HTMLButtonElement>('hangup'),
  status: $('status'),
  timer: $('timer'),
  remoteHold: $('remote-hold'),
  dtmfSent: $('dtmf-sent'),
  error: $('error'),
};
ui.server.value = config.server;
ui.number.value = config.number;
ui.digit.value = config.digit;
ui.call.textContent = `Call ${config.hotline}`;

const phone = new Softphone({
  register: config.register,
  // A telephone line: checked often, so a demo centre killed by hand shows at once.
  pingIntervalMs: 5_000,
  failbackProbeMs: 0,
  // ?trace=1 logs every SIP message to the console.
  sipTrace: params.get('trace') === '1',
  log: params.get('trace') === '1' ? (level, message) => console.log(`[${level}] ${message}`) : undefined,
});

/** The call shown: the live one, else the last that ended. */
function currentCall(s: SoftphoneState): CallSnapshot | null {
  const live = s.calls.filter((c) => c.status !== 'ended');
  return live.at(-1) ?? s.calls.at(-1) ?? null;
}

function render(s: SoftphoneState): void {
  const where = s.server ? `${s.server.centre} (${s.server.wsUrl})` : ui.server.value;
  ui.registration.textContent =
    s.transport !== 'connected'
      ? `${s.transport === 'connecting' ? 'connecting to' : 'not connected to'} ${where}`
      : config.register
        ? `${s.registration === 'registered' ? 'reachable as' : s.registration} ${ui.number.value} via ${where}`
        : `connected to ${where}`;
  ui.registration.dataset.state = s.registration;
  ui.registration.dataset.transport = s.transport;
  const call = currentCall(s);
  ui.status.textContent = call ? describeCall(call) : 'idle';
  ui.status.dataset.status = call?.status ?? 'idle';
  ui.remoteHold.hidden = !(call && call.status !== 'ended' && call.remoteHeld);
  ui.dtmfSent.textContent = call?.dtmfSent ?? '';
  ui.answer.hidden = !(call && call.direction === 'inbound' && call.status === 'ringing');
  ui.error.textContent = s.lastError ?? '';
  rtp.follow(call && call.status === 'active' ? call.id : null);
  timer.follow(call);
}

const rtp = rtpCounter(phone, $('rtp-in'), $('rtp-out'), $('quality'));
const timer = callTimer(ui.timer);
phone.subscribe(render);

async function connect(): Promise<void> {
  const number = ui.number.value.replace(/[\s-]/g, '');
  if (!/^[0-9]{5,20}$/.test(number)) {
    ui.error.textContent = 'A telephone number is digits only (5 to 20).';
    return;
  }
  await phone.connect({
    aor: number,
    aorDomain: config.pstn,
    domain: config.domain,
    hotline: config.hotline,
    servers: [{ centre: 'telephone network', wsUrl: ui.server.value.trim() }],
  });
}

function act(f: () => Promise<unknown>): void {
  f().catch((error: unknown) => (ui.error.textContent = error instanceof Error ? error.message : String(error)));
}

ui.connect.addEventListener('click', () => act(connect));
ui.number.addEventListener('change', () => act(connect));
ui.server.addEventListener('change', () => act(connect));
ui.call.addEventListener('click', () =>
  act(async () => {
    const digit = ui.digit.value;
    await phone.dial(digit ? `${config.hotline}*${digit}` : config.hotline);
  }),
);
ui.answer.addEventListener('click', () =>
  act(async () => {
    const call = currentCall(phone.state);
    if (call) await phone.answer(call.id);
  }),
);
ui.hangup.addEventListener('click', () =>
  act(async () => {
    const call = currentCall(phone.state);
    if (call && call.status !== 'ended') await phone.hangup(call.id);
  }),
);
keypad($('keypad'), 'caller-key', (tone) =>
  act(async () => {
    const call = currentCall(phone.state);
    if (call?.status === 'active') await phone.sendDtmf(call.id, tone);
  }),
);

declare global {
  interface Window {
    twinlineCaller: { phone: Softphone; connect: () => Promise<void>; current: () => CallSnapshot | null };
  }
}
window.twinlineCaller = { phone, connect, current: () => currentCall(phone.state) };

act(connect);
