// Microphone level: an AnalyserNode read every animation frame, written to a CSS variable —
// React renders this component once, not sixty times a second.
import { useEffect, useRef } from 'react';

import { useI18n } from './i18n';
import { rms, audioContext } from './speaker';

export function LevelMeter({ track }: { track: MediaStreamTrack | null }) {
  const { t } = useI18n();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    const ctx = audioContext();
    if (!el || !ctx || !track) return;
    const source = ctx.createMediaStreamSource(new MediaStream([track]));
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 1024;
    source.connect(analyser);
    const buffer = new Float32Array(analyser.fftSize);
    let smoothed = 0;
    let frame = requestAnimationFrame(function tick() {
      analyser.getFloatTimeDomainData(buffer);
      const level = track.enabled ? Math.min(1, rms(buffer) * 6) : 0;
      smoothed = Math.max(level, smoothed * 0.85); // fast attack, slow release
      el.style.setProperty('--level', smoothed.toFixed(3));
      frame = requestAnimationFrame(tick);
    });
    return () => {
      cancelAnimationFrame(frame);
      source.disconnect();
      el.style.setProperty('--level', '0');
    };
  }, [track]);
  return (
    <div className="level-meter" ref={ref} role="img" aria-label={t('micLevel')} title={t('micLevel')} data-testid="mic-level">
      <span />
      <span />
      <span />
    </div>
  );
}
