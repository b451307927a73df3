// Connection quality from RTCPeerConnection.getStats(): packet loss and round-trip time mapped
// to good / fair / poor. Pure functions; the Meeting polls (once per second, one timer).

import type { Quality } from './types';

/** The numbers the estimate needs, summed over all RTP streams of one peer connection. */
export interface StatsSample {
  /** Cumulative packets received / lost on our inbound RTP streams. */
  packetsReceived: number;
  packetsLost: number;
  /** Highest fraction of our outbound packets the remote reports lost (RTCP), 0..1, or null. */
  remoteFractionLost: number | null;
  /** Round-trip time in seconds (selected candidate pair, else RTCP), or null when unknown. */
  rttSeconds: number | null;
}

export const QUALITY_THRESHOLDS = {
  good: { loss: 0.02, rttSeconds: 0.25 },
  fair: { loss: 0.08, rttSeconds: 0.5 },
} as const;

type StatsEntry = Record<string, unknown>;

function num(entry: StatsEntry, key: string): number | null {
  const v = entry[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export function sampleStats(report: RTCStatsReport): StatsSample {
  const sample: StatsSample = {
    packetsReceived: 0,
    packetsLost: 0,
    remoteFractionLost: null,
    rttSeconds: null,
  };
  let pairRtt: number | null = null;
  let rtcpRtt: number | null = null;
  let selectedPairId: string | null = null;
  const pairs = new Map<string, StatsEntry>();
  report.forEach((value: unknown) => {
    const entry = value as StatsEntry;
    switch (entry['type']) {
      case 'inbound-rtp':
        sample.packetsReceived += num(entry, 'packetsReceived') ?? 0;
        // packetsLost may go negative with duplicates; never count that as "negative loss".
        sample.packetsLost += Math.max(0, num(entry, 'packetsLost') ?? 0);
        break;
      case 'remote-inbound-rtp': {
        const lost = num(entry, 'fractionLost');
        if (lost !== null) sample.remoteFractionLost = Math.max(sample.remoteFractionLost ?? 0, lost);
        const rtt = num(entry, 'roundTripTime');
        if (rtt !== null) rtcpRtt = Math.max(rtcpRtt ?? 0, rtt);
        break;
      }
      case 'transport':
        if (typeof entry['selectedCandidatePairId'] === 'string') {
          selectedPairId = entry['selectedCandidatePairId'];
        }
        break;
      case 'candidate-pair':
        if (typeof entry['id'] === 'string') pairs.set(entry['id'], entry);
        // Firefox has no transport.selectedCandidatePairId; it marks the pair instead.
        if (entry['selected'] === true || (entry['nominated'] === true && entry['state'] === 'succeeded')) {
          pairRtt = num(entry, 'currentRoundTripTime') ?? pairRtt;
        }
        break;
    }
  });
  if (selectedPairId !== null) {
    const pair = pairs.get(selectedPairId);
    if (pair) pairRtt = num(pair, 'currentRoundTripTime') ?? pairRtt;
  }
  sample.rttSeconds = pairRtt ?? rtcpRtt;
  return sample;
}

/** Inbound loss since the previous sample, or null when no packets moved in between. */
export function lossBetween(previous: StatsSample | null, current: StatsSample): number | null {
  const received = current.packetsReceived - (previous?.packetsReceived ?? 0);
  const lost = current.packetsLost - (previous?.packetsLost ?? 0);
  if (received < 0 || lost < 0) return null; // counters reset (new connection)
  const total = received + lost;
  return total > 0 ? lost / total : null;
}

export function estimateQuality(previous: StatsSample | null, current: StatsSample): Quality {
  const losses = [lossBetween(previous, current), current.remoteFractionLost].filter(
    (v): v is number => v !== null,
  );
  const loss = losses.length > 0 ? Math.max(...losses) : null;
  const rtt = current.rttSeconds;
  if (loss === null && rtt === null) return 'unknown';
  const within = (limit: { loss: number; rttSeconds: number }) =>
    (loss === null || loss < limit.loss) && (rtt === null || rtt < limit.rttSeconds);
  if (within(QUALITY_THRESHOLDS.good)) return 'good';
  if (within(QUALITY_THRESHOLDS.fair)) return 'fair';
  return 'poor';
}
