import { describe, expect, it } from 'vitest';

import { nextSpeaker, rms, SPEAKING_LEVEL, type SpeakerState } from './speaker';

const loud = SPEAKING_LEVEL * 4;
const levels = (entries: Record<string, number>) => new Map(Object.entries(entries));

describe('active speaker', () => {
  it('nobody above the threshold: nobody speaks', () => {
    expect(nextSpeaker({ id: null, lastLoudAt: 0 }, levels({ a: 0.001, b: 0 }), 1000).id).toBeNull();
  });

  it('the loudest member above the threshold speaks', () => {
    expect(nextSpeaker({ id: null, lastLoudAt: 0 }, levels({ a: loud, b: loud * 2 }), 1000).id).toBe('b');
  });

  it('the current speaker keeps the highlight unless someone is clearly louder, twice in a row', () => {
    const state = { id: 'a', lastLoudAt: 900 };
    expect(nextSpeaker(state, levels({ a: loud, b: loud * 1.2 }), 1000).id).toBe('a');
    const once = nextSpeaker(state, levels({ a: loud, b: loud * 2 }), 1000);
    expect(once.id).toBe('a');
    expect(nextSpeaker(once, levels({ a: loud, b: loud * 2 }), 1200).id).toBe('b');
  });

  it('one loud sample from someone else during a pause does not move the highlight', () => {
    let state: SpeakerState = { id: 'a', lastLoudAt: 1000 };
    state = nextSpeaker(state, levels({ a: 0, b: loud }), 1200);
    expect(state.id).toBe('a');
    state = nextSpeaker(state, levels({ a: 0, b: 0 }), 1400);
    expect(state.id).toBe('a');
    state = nextSpeaker(state, levels({ a: 0, b: loud }), 1600);
    expect(state.id).toBe('a');
    expect(nextSpeaker(state, levels({ a: 0, b: loud }), 1800).id).toBe('b');
  });

  it('once the hold ran out, the next loud member takes the highlight at once', () => {
    expect(nextSpeaker({ id: 'a', lastLoudAt: 1000 }, levels({ a: 0, b: loud }), 2300).id).toBe('b');
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
