import { describe, expect, it } from 'vitest';
import { estimateQuality, lossBetween, sampleStats, type StatsSample } from './quality';

function report(entries: Record<string, unknown>[]): RTCStatsReport {
  return new Map(entries.map((e, i) => [String(e['id'] ?? i), e])) as unknown as RTCStatsReport;
}

const sample = (s: Partial<StatsSample>): StatsSample => ({
  packetsReceived: 0,
  packetsLost: 0,
  remoteFractionLost: null,
  rttSeconds: null,
  ...s,
});

describe('sampleStats', () => {
  it('sums inbound RTP and takes the RTT of the selected candidate pair', () => {
    const s = sampleStats(
      report([
        { type: 'inbound-rtp', kind: 'audio', packetsReceived: 100, packetsLost: 2 },
        { type: 'inbound-rtp', kind: 'video', packetsReceived: 900, packetsLost: 8 },
        { type: 'transport', selectedCandidatePairId: 'p2' },
        { id: 'p1', type: 'candidate-pair', currentRoundTripTime: 0.9 },
        { id: 'p2', type: 'candidate-pair', currentRoundTripTime: 0.04 },
        { type: 'remote-inbound-rtp', fractionLost: 0.01, roundTripTime: 0.05 },
      ]),
    );
    expect(s).toEqual({ packetsReceived: 1000, packetsLost: 10, remoteFractionLost: 0.01, rttSeconds: 0.04 });
  });

  it('falls back to the RTCP round-trip time without a selected pair', () => {
    const s = sampleStats(report([{ type: 'remote-inbound-rtp', roundTripTime: 0.3 }]));
    expect(s.rttSeconds).toBe(0.3);
  });

  it('uses the Firefox-style selected flag', () => {
    const s = sampleStats(report([{ type: 'candidate-pair', selected: true, currentRoundTripTime: 0.1 }]));
    expect(s.rttSeconds).toBe(0.1);
  });
});

describe('estimateQuality', () => {
  it('is unknown with neither loss nor RTT', () => {
    expect(estimateQuality(null, sample({}))).toBe('unknown');
  });

  it('measures loss between two samples, not since the start', () => {
    const before = sample({ packetsReceived: 1000, packetsLost: 500 });
    const after = sample({ packetsReceived: 2000, packetsLost: 505 });
    expect(lossBetween(before, after)).toBeCloseTo(5 / 1005);
    expect(estimateQuality(before, after)).toBe('good');
  });

  it('grades by the worse of loss and RTT', () => {
    expect(estimateQuality(null, sample({ packetsReceived: 99, packetsLost: 1, rttSeconds: 0.05 }))).toBe('good');
    expect(estimateQuality(null, sample({ packetsReceived: 95, packetsLost: 5, rttSeconds: 0.05 }))).toBe('fair');
    expect(estimateQuality(null, sample({ packetsReceived: 99, packetsLost: 1, rttSeconds: 0.3 }))).toBe('fair');
    expect(estimateQuality(null, sample({ packetsReceived: 80, packetsLost: 20 }))).toBe('poor');
    expect(estimateQuality(null, sample({ rttSeconds: 0.8 }))).toBe('poor');
    expect(estimateQuality(null, sample({ remoteFractionLost: 0.1, rttSeconds: 0.01 }))).toBe('poor');
  });

  it('ignores counters that went backwards (a rebuilt connection)', () => {
    const before = sample({ packetsReceived: 1000, packetsLost: 100 });
    expect(lossBetween(before, sample({ packetsReceived: 10, packetsLost: 0 }))).toBeNull();
  });
});
