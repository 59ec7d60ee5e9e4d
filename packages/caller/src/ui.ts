// Small DOM helpers shared by the two pages.
import type { CallSnapshot, Softphone } from '@twinline/softphone';

export function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing element #${id}`);
  return el as T;
}

/** A call in a few words: "ringing 95598*1", "connected to 05922123456", "ended: refused: 486 Busy Here". */
export function describeCall(c: CallSnapshot): string {
  switch (c.status) {
    case 'dialing':
      return `${c.remoteRinging ? 'ringing' : 'calling'} ${c.remote}`;
    case 'ringing':
      return `incoming call from ${c.remote}`;
    case 'active':
      return `${c.held ? 'holding' : 'connected to'} ${c.remote}${c.signalling === 'lost' ? ' (SIP server gone; audio continues)' : ''}`;
    case 'ended':
      return `ended: ${c.endReason ?? ''}`;
  }
}

/** The 12-key DTMF pad; each button has data-testid `${prefix}-<key>` (# is "hash", * is "star"). */
export function keypad(host: HTMLElement, prefix: string, press: (tone: string) => void): void {
  for (const key of ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#']) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = key;
    b.dataset.testid = `${prefix}-${key === '#' ? 'hash' : key === '*' ? 'star' : key}`;
    b.addEventListener('click', () => press(key));
    host.append(b);
  }
}

/** Shows a call's RTP counters once a second while it is connected. */
export function rtpCounter(phone: Softphone, inbound: HTMLElement, outbound: HTMLElement, quality: HTMLElement) {
  let callId: string | null = null;
  let timer: ReturnType<typeof setInterval> | null = null;
  const tick = async () => {
    if (!callId) return;
    const s = await phone.stats(callId).catch(() => null);
    if (!s) return;
    inbound.textContent = String(s.inbound.packetsReceived);
    outbound.textContent = String(s.outbound.packetsSent);
    quality.textContent = phone.call(callId)?.quality ?? '';
  };
  return {
    follow(id: string | null) {
      if (id === callId) return;
      callId = id;
      if (timer) clearInterval(timer);
      timer = id ? setInterval(() => void tick(), 1000) : null;
      if (id) {
        inbound.textContent = outbound.textContent = '0';
        void tick();
      }
    },
  };
}

/** mm:ss since the call was answered (or since it started ringing). */
export function callTimer(el: HTMLElement) {
  let call: CallSnapshot | null = null;
  const show = () => {
    if (!call) return void (el.textContent = '');
    const from = call.answeredAt ?? call.startedAt;
    const to = call.endedAt ?? Date.now();
    const s = Math.max(0, Math.floor((to - from) / 1000));
    el.textContent = `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  };
  setInterval(show, 1000);
  return {
    follow(c: CallSnapshot | null) {
      call = c;
      show();
    },
  };
}
