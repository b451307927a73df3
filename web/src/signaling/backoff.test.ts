import { describe, expect, it } from 'vitest';
import { RECONNECT_BACKOFF, backoffDelay, nominalDelay } from './backoff';

describe('reconnect backoff', () => {
  it('starts at 0.5 s and doubles', () => {
    expect([0, 1, 2, 3, 4, 5].map((n) => nominalDelay(n))).toEqual([
      500, 1000, 2000, 4000, 8000, 15_000,
    ]);
  });

  it('is capped at 15 s however many attempts failed', () => {
    expect(nominalDelay(6)).toBe(15_000);
    expect(nominalDelay(1000)).toBe(15_000);
    expect(backoffDelay(1000, () => 0)).toBe(15_000);
  });

  it('jitters down to half of the nominal delay, never above it', () => {
    for (let attempt = 0; attempt < 12; attempt++) {
      const nominal = nominalDelay(attempt);
      expect(backoffDelay(attempt, () => 0)).toBe(nominal);
      expect(backoffDelay(attempt, () => 0.999_999)).toBe(Math.round(nominal / 2));
      for (let i = 0; i < 20; i++) {
        const d = backoffDelay(attempt);
        expect(d).toBeGreaterThanOrEqual(nominal / 2);
        expect(d).toBeLessThanOrEqual(nominal);
      }
    }
  });

  it('treats negative or fractional attempts as the first retry', () => {
    expect(nominalDelay(-3)).toBe(RECONNECT_BACKOFF.initialMs);
    expect(nominalDelay(0.7)).toBe(RECONNECT_BACKOFF.initialMs);
  });

  it('clamps a misbehaving random source', () => {
    expect(backoffDelay(0, () => 7)).toBe(250);
    expect(backoffDelay(0, () => -1)).toBe(500);
  });
});
