import { describe, expect, it } from 'vitest';

import { nextSpeaker, rms, SPEAKING_LEVEL } from './speaker';

const loud = SPEAKING_LEVEL * 4;
const levels = (entries: Record<string, number>) => new Map(Object.entries(entries));

describe('active speaker', () => {
  it('nobody above the threshold: nobody speaks', () => {
    expect(nextSpeaker({ id: null, lastLoudAt: 0 }, levels({ a: 0.001, b: 0 }), 1000).id).toBeNull();
  });

  it('the loudest member above the threshold speaks', () => {
    expect(nextSpeaker({ id: null, lastLoudAt: 0 }, levels({ a: loud, b: loud * 2 }), 1000).id).toBe('b');
  });

  it('the current speaker keeps the highlight unless someone is clearly louder', () => {
    const state = { id: 'a', lastLoudAt: 900 };
    expect(nextSpeaker(state, levels({ a: loud, b: loud * 1.2 }), 1000).id).toBe('a');
    expect(nextSpeaker(state, levels({ a: loud, b: loud * 2 }), 1000).id).toBe('b');
  });

  it('a short pause keeps the highlight; a long one drops it', () => {
    const state = { id: 'a', lastLoudAt: 1000 };
    expect(nextSpeaker(state, levels({ a: 0 }), 1500).id).toBe('a');
    expect(nextSpeaker(state, levels({ a: 0 }), 3000).id).toBeNull();
  });

  it('a member who left stops being the speaker after the hold', () => {
    expect(nextSpeaker({ id: 'gone', lastLoudAt: 0 }, levels({ b: 0 }), 5000).id).toBeNull();
  });

  it('rms of silence, of a full-scale square wave', () => {
    expect(rms(new Float32Array(8))).toBe(0);
    expect(rms(Float32Array.from([1, -1, 1, -1]))).toBe(1);
    expect(rms(new Float32Array(0))).toBe(0);
  });
});
