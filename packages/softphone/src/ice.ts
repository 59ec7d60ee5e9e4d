// When to stop waiting for ICE candidates and send the SDP (sip.js waits for gathering to end; Chromium ends it only
// after its TCP candidates, about 120 ms later, which calls between browsers never use).
import { candidatesSuffice } from './sip-text';

/** No further candidate of the kind that matters for this long: every network interface has given its own. */
export const ICE_QUIET_MS = 4;
/** The longest wait after the first candidate of that kind (the rule before the quiet period: a fixed 20 ms). */
export const ICE_MAX_WAIT_MS = 20;

interface Candidate {
  protocol?: string | null;
  type?: string | null;
}

/**
 * Watches candidates as they arrive and calls `done` once those that matter are in (candidatesSuffice): ICE_QUIET_MS
 * after the last one of that kind, at most ICE_MAX_WAIT_MS after the first. Chromium gathers the UDP host candidates
 * of every interface in one step, within a millisecond or two; a fixed wait after the first cost every call ~20 ms.
 * Returns the function to call with each candidate.
 */
export function iceSettler(haveIceServers: boolean, done: () => void): (candidate: Candidate) => void {
  let firstAt: number | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const fire = () => {
    timer = null;
    firstAt = null; // an ICE restart (a re-INVITE) starts over
    done();
  };
  return (candidate) => {
    if (!candidatesSuffice([candidate], haveIceServers)) return;
    const now = Date.now();
    firstAt ??= now;
    if (timer) clearTimeout(timer);
    timer = setTimeout(fire, Math.max(0, Math.min(ICE_QUIET_MS, firstAt + ICE_MAX_WAIT_MS - now)));
  };
}
