// Active speaker: one AnalyserNode per audio track, all sampled in a single 200 ms interval.
// The UI hears about it only when the speaker *changes*, so the grid does not re-render per tick.

export interface SpeakerState {
  id: string | null;
  lastLoudAt: number;
  /** Who is taking over from `id` while it holds the highlight, and for how many samples in a row. */
  challenger?: string | null;
  challengerSamples?: number;
}

export const SPEAKING_LEVEL = 0.02; // RMS of the time-domain signal, 0..1
const HOLD_MS = 1200; // keep the highlight through short pauses between words
const SWITCH_RATIO = 1.5; // a new speaker must be clearly louder to take over
// ...and loudest on this many samples in a row: one cough or a word of cross-talk does not
// move the highlight (and re-render the grid) back and forth.
export const SWITCH_SAMPLES = 2;

export function nextSpeaker(
  state: SpeakerState,
  levels: ReadonlyMap<string, number>,
  now: number,
): SpeakerState {
  let loudest: string | null = null;
  let loudestLevel = SPEAKING_LEVEL;
  for (const [id, level] of levels) {
    if (level >= loudestLevel) {
      loudest = id;
      loudestLevel = level;
    }
  }
  const current = state.id !== null ? (levels.get(state.id) ?? 0) : 0;
  const currentLoud = state.id !== null && current >= SPEAKING_LEVEL;
  if (currentLoud && (loudest === null || loudest === state.id || loudestLevel < current * SWITCH_RATIO)) {
    return { id: state.id, lastLoudAt: now };
  }
  const holding = state.id !== null && (currentLoud || now - state.lastLoudAt < HOLD_MS);
  if (loudest !== null && loudest !== state.id) {
    if (!holding) return { id: loudest, lastLoudAt: now };
    const samples = state.challenger === loudest ? (state.challengerSamples ?? 0) + 1 : 1;
    if (samples >= SWITCH_SAMPLES) return { id: loudest, lastLoudAt: now };
    return { id: state.id, lastLoudAt: currentLoud ? now : state.lastLoudAt, challenger: loudest, challengerSamples: samples };
  }
  if (holding) return { id: state.id, lastLoudAt: state.lastLoudAt };
  return { id: null, lastLoudAt: state.lastLoudAt };
}

export function rms(samples: Float32Array): number {
  let sum = 0;
  for (const s of samples) sum += s * s;
  return samples.length ? Math.sqrt(sum / samples.length) : 0;
}

interface Probe {
  trackId: string;
  source: MediaStreamAudioSourceNode;
  analyser: AnalyserNode;
}

export class SpeakerDetector {
  private readonly probes = new Map<string, Probe>();
  private readonly buffer = new Float32Array(512);
  private state: SpeakerState = { id: null, lastLoudAt: 0 };
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly context: AudioContext,
    private readonly onChange: (id: string | null) => void,
    private readonly intervalMs = 200,
  ) {}

  /** Which streams to listen to, keyed by member id; call whenever the members change. */
  setStreams(streams: ReadonlyMap<string, MediaStream | null>): void {
    for (const [id, probe] of this.probes) {
      const track = streams.get(id)?.getAudioTracks()[0];
      if (!track || track.id !== probe.trackId) this.drop(id);
    }
    for (const [id, stream] of streams) {
      const track = stream?.getAudioTracks()[0];
      if (!track || this.probes.has(id)) continue;
      try {
        const source = this.context.createMediaStreamSource(new MediaStream([track]));
        const analyser = this.context.createAnalyser();
        analyser.fftSize = this.buffer.length;
        source.connect(analyser);
        this.probes.set(id, { trackId: track.id, source, analyser });
      } catch {
        // A track that cannot be analysed just never lights up its tile.
      }
    }
    if (!this.timer) this.timer = setInterval(() => this.sample(), this.intervalMs);
  }

  private sample(): void {
    const levels = new Map<string, number>();
    for (const [id, probe] of this.probes) {
      probe.analyser.getFloatTimeDomainData(this.buffer);
      levels.set(id, rms(this.buffer));
    }
    const next = nextSpeaker(this.state, levels, performance.now());
    const changed = next.id !== this.state.id;
    this.state = next;
    if (changed) this.onChange(next.id);
  }

  private drop(id: string): void {
    const probe = this.probes.get(id);
    if (!probe) return;
    probe.source.disconnect();
    this.probes.delete(id);
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const id of [...this.probes.keys()]) this.drop(id);
  }
}

/** One AudioContext for the page; browsers limit how many may exist. */
let shared: AudioContext | null = null;
export function audioContext(): AudioContext | null {
  if (typeof AudioContext === 'undefined') return null;
  shared ??= new AudioContext();
  if (shared.state === 'suspended') void shared.resume().catch(() => undefined);
  return shared;
}
