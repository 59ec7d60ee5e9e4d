// RTP counters from RTCPeerConnection.getStats(), summed per direction, and a coarse quality indicator for the
// console (tests use the counters: packets received on both ends prove audio flows both ways).

/** The fields we read; RTCStats entries carry more. */
export interface StatsEntry {
  type: string;
  kind?: string;
  mediaType?: string;
  packetsReceived?: number;
  packetsLost?: number;
  bytesReceived?: number;
  jitter?: number;
  totalAudioEnergy?: number;
  packetsSent?: number;
  bytesSent?: number;
  roundTripTime?: number;
  currentRoundTripTime?: number;
  state?: string;
  nominated?: boolean;
}

export interface RtpStats {
  /** When taken (epoch ms). */
  at: number;
  inbound: {
    packetsReceived: number;
    packetsLost: number;
    bytesReceived: number;
    jitterMs: number | null;
    /** Total audio energy received so far (grows while the other side is heard; flat while it is muted). */
    audioEnergy: number;
  };
  outbound: { packetsSent: number; bytesSent: number };
  /** Round trip time (ms) from RTCP or the ICE candidate pair, when known. */
  rttMs: number | null;
}

export type Quality = 'good' | 'fair' | 'poor' | 'silent';

const isAudio = (e: StatsEntry) => (e.kind ?? e.mediaType ?? 'audio') === 'audio';

export function summariseStats(entries: Iterable<StatsEntry>, at = Date.now()): RtpStats {
  const s: RtpStats = {
    at,
    inbound: { packetsReceived: 0, packetsLost: 0, bytesReceived: 0, jitterMs: null, audioEnergy: 0 },
    outbound: { packetsSent: 0, bytesSent: 0 },
    rttMs: null,
  };
  for (const e of entries) {
    if (e.type === 'inbound-rtp' && isAudio(e)) {
      s.inbound.packetsReceived += e.packetsReceived ?? 0;
      s.inbound.packetsLost += Math.max(0, e.packetsLost ?? 0);
      s.inbound.bytesReceived += e.bytesReceived ?? 0;
      s.inbound.audioEnergy += e.totalAudioEnergy ?? 0;
      if (e.jitter !== undefined) s.inbound.jitterMs = Math.max(s.inbound.jitterMs ?? 0, e.jitter * 1000);
    } else if (e.type === 'outbound-rtp' && isAudio(e)) {
      s.outbound.packetsSent += e.packetsSent ?? 0;
      s.outbound.bytesSent += e.bytesSent ?? 0;
    } else if (e.type === 'remote-inbound-rtp' && e.roundTripTime !== undefined) {
      s.rttMs = e.roundTripTime * 1000;
    } else if (e.type === 'candidate-pair' && e.nominated && e.state === 'succeeded') {
      if (s.rttMs === null && e.currentRoundTripTime !== undefined) s.rttMs = e.currentRoundTripTime * 1000;
    }
  }
  return s;
}

/**
 * Quality over the interval between two samples: "silent" when no packet arrived (media is not flowing, whatever
 * the SIP state says), else by loss, jitter and round trip (thresholds after ITU-T G.114 and common VoIP practice).
 */
export function quality(prev: RtpStats | null, next: RtpStats): Quality {
  const received = next.inbound.packetsReceived - (prev?.inbound.packetsReceived ?? 0);
  const lost = next.inbound.packetsLost - (prev?.inbound.packetsLost ?? 0);
  if (received <= 0) return 'silent';
  const loss = lost > 0 ? lost / (received + lost) : 0;
  const jitter = next.inbound.jitterMs ?? 0;
  const rtt = next.rttMs ?? 0;
  if (loss > 0.05 || jitter > 60 || rtt > 600) return 'poor';
  if (loss > 0.01 || jitter > 30 || rtt > 300) return 'fair';
  return 'good';
}
