// RSS stability verdict over the samples of a soak run (pure functions).
//
// Why this rule. After warm-up the server's live set is in a steady state: about the same
// number of connections, members and rooms, chat histories full (50 messages per room), SockJS
// and WebSocket buffers at their working size. What a steady process frees, malloc hands out
// again, so its RSS (which also holds freed-but-kept heap) plateaus at the high-water mark of
// that live set; it only climbs further when the live set peaks higher than before (the churn
// moves the population by a few percent) or when memory leaks. So we compare peaks, not
// means: the max of the first third of the post-warm-up span ("baseline"; with the default
// 25 % warm-up that is exactly the run's second quarter) against the max of its last third
// ("final"). Maxima are insensitive to the dips of malloc trimming, and the two windows are
// two thirds of the steady span apart.
//
// Allowed growth: max(2 MiB, 5 % of the baseline max). Measured on the 2-core dev box with the
// default traffic: idle parley is ~8 MiB, with ~200 members ~13.8 MiB, so a live member costs
// ~29 KiB (its sessions, buffers and share of rooms and histories); over 7.5 steady minutes the
// RSS stayed within a ~90 KiB range while the member gauge moved between ~195 and ~210. 2 MiB is
// thus ~20× the observed noise and ~70 members' worth, yet small against leaks: between the
// windows a 10-minute run handles ~2 800 connections and ~270 000 messages, so 2 MiB is a leak
// of ~750 bytes per connection or ~8 bytes per message (the default 2-minute run: ~3.5 KB per
// connection or ~40 bytes per message; the run prints these figures). The 5 % term scales the
// allowance for configurations with much larger heaps, where fragmentation drift grows too.
// The least-squares slope over all steady samples is reported (KiB/min) to show the trend.

export const MIN_WARMUP_S = 20;
export const WARMUP_FRACTION = 0.25;
export const GROWTH_FLOOR_KIB = 2048;
export const GROWTH_FRACTION = 0.05;

export function warmupSeconds(durationS) {
  return Math.min(durationS, Math.max(MIN_WARMUP_S, WARMUP_FRACTION * durationS));
}

export function maxIn(samples, fromS, toS, key = 'rssKiB') {
  let max = null;
  for (const s of samples) {
    if (s.t >= fromS && s.t <= toS && s[key] != null && (max === null || s[key] > max)) max = s[key];
  }
  return max;
}

// Least squares y = a + b t over points [{t, y}]; b per second.
export function linearFit(points) {
  const n = points.length;
  if (n < 2) return { a: points[0]?.y ?? 0, b: 0 };
  let st = 0;
  let sy = 0;
  for (const p of points) {
    st += p.t;
    sy += p.y;
  }
  const mt = st / n;
  const my = sy / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.t - mt) * (p.y - my);
    den += (p.t - mt) ** 2;
  }
  const b = den === 0 ? 0 : num / den;
  return { a: my - b * mt, b };
}

// samples: [{t (s since traffic start), rssKiB}] of the traffic phase (0..durationS).
export function rssVerdict(samples, durationS) {
  const warmupS = warmupSeconds(durationS);
  const steadyS = durationS - warmupS;
  const baseline = [warmupS, warmupS + steadyS / 3];
  const final = [durationS - steadyS / 3, durationS];
  const baselineMax = maxIn(samples, ...baseline);
  const finalMax = maxIn(samples, ...final);
  const steady = samples.filter((s) => s.t >= warmupS && s.t <= durationS && s.rssKiB != null);
  const fit = linearFit(steady.map((s) => ({ t: s.t, y: s.rssKiB })));
  const valid = rssAt(samples, 0) !== null && baselineMax !== null && finalMax !== null;
  const growth = valid ? finalMax - baselineMax : null;
  const bound = valid ? Math.max(GROWTH_FLOOR_KIB, GROWTH_FRACTION * baselineMax) : null;
  return {
    warmupS,
    baseline,
    final,
    baselineMax,
    finalMax,
    growth,
    bound,
    ok: valid && growth <= bound,
    valid,
    fit, // KiB = a + b t
    slopeKiBPerMin: fit.b * 60,
    startKiB: rssAt(samples, 0),
    afterWarmupKiB: rssAt(samples, warmupS),
    maxKiB: maxIn(samples, 0, Infinity),
  };
}

// RSS of the first sample at or after t.
export function rssAt(samples, t) {
  const s = samples.find((x) => x.t >= t && x.rssKiB != null);
  return s ? s.rssKiB : null;
}
