// The centre's seal on a crew's step. A crew never writes to the board: the centre records its step with the
// evidence it computed (http.ts), and signs that event, so a console cannot pass off a made-up crew event (say an
// arrival with flag-free evidence) as the centre's when it relays content in a catch-up (the guard checks the seal).
//
// What is signed: the canonical form (keys sorted at every level, undefined values left out, as JSON) of
// `{ orderId, event }`, the event whole (id, action, by, at, note, evidence …) except `evidence.sig`, where the
// signature is kept. HMAC-SHA256 with a key of its own, derived from the twins' shared peer secret, so either centre
// verifies the other's events and the raw secret serves one purpose only (the peer link's Bearer).
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { OrderEvent } from '@twinline/workorder';

const KEY_LABEL = 'twinline crew evidence v1';
const SIG = /^[0-9a-f]{64}$/;

/** JSON with every object's keys sorted (recursively) and undefined values dropped: one text per value. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonical(v))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The event as it is signed: without its signature. */
function unsigned(event: OrderEvent): OrderEvent {
  if (!event.evidence) return event;
  const { sig: _sig, ...evidence } = event.evidence;
  return { ...event, evidence };
}

export interface CrewEventSeal {
  /** The signature of `event` on order `orderId` (hex). */
  sign(orderId: string, event: OrderEvent): string;
  /** `event` with its signature in `evidence.sig` (a crew's event always carries evidence). */
  seal(orderId: string, event: OrderEvent): OrderEvent;
  /** Whether `event` carries a signature by a centre holding the shared secret, over exactly this order and event. */
  verify(orderId: string, event: OrderEvent): boolean;
}

/** Signing and checking crew events with the key derived from the twins' shared peer secret. */
export function crewEventSeal(peerSecret: string): CrewEventSeal {
  const key = createHmac('sha256', peerSecret).update(KEY_LABEL).digest();
  const mac = (orderId: string, event: OrderEvent) =>
    createHmac('sha256', key)
      .update(canonical({ orderId, event: unsigned(event) }))
      .digest();
  return {
    sign: (orderId, event) => mac(orderId, event).toString('hex'),
    seal(orderId, event) {
      if (!event.evidence) throw new Error(`crew event ${event.id} on order ${orderId} carries no evidence to seal`);
      return { ...event, evidence: { ...event.evidence, sig: mac(orderId, event).toString('hex') } };
    },
    verify(orderId, event) {
      const sig = event.evidence?.sig;
      if (typeof sig !== 'string' || !SIG.test(sig)) return false;
      try {
        return timingSafeEqual(Buffer.from(sig, 'hex'), mac(orderId, event));
      } catch {
        return false; // a value JSON cannot hold (a bigint in a key the schema does not know): not what was signed
      }
    },
  };
}
