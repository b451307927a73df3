// An SVG line chart of a soak run, written by hand (no plotting library on the box): RSS on the
// left axis, live members (the server's parley_members gauge) on the right, the warm-up shaded,
// the baseline and final window maxima the verdict compares, the least-squares line, and the
// drain after the traffic stopped.

const W = 880;
const H = 440;
const M = { left: 72, right: 72, top: 84, bottom: 70 };
const PW = W - M.left - M.right;
const PH = H - M.top - M.bottom;
const COLORS = {
  rss: '#1f6feb',
  members: '#9aa4ad',
  fit: '#d1242f',
  window: '#8250df',
  warmup: '#f6f8fa',
  drain: '#fff8e5',
  grid: '#e6e8eb',
  axis: '#57606a',
  text: '#24292f',
};

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const num = (x) => (Math.round(x * 10) / 10).toString();

// A "nice" tick step (1, 2 or 5 × 10^k) giving about `target` intervals over `range`.
export function niceStep(range, target = 6) {
  if (!(range > 0)) return 1;
  const raw = range / target;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const frac = raw / pow;
  const nice = frac <= 1 ? 1 : frac <= 2 ? 2 : frac <= 5 ? 5 : 10;
  return nice * pow;
}

// The first tick at or above v (an axis end that leaves headroom above the data).
export function niceCeil(v, target = 6) {
  const step = niceStep(v, target);
  return Math.ceil(v / step - 1e-9) * step || step;
}

export function ticks(min, max, target = 6) {
  const step = niceStep(max - min, target);
  const out = [];
  for (let v = Math.ceil(min / step - 1e-9) * step; v <= max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function scale(d0, d1, r0, r1) {
  return (v) => r0 + ((v - d0) / (d1 - d0 || 1)) * (r1 - r0);
}

function polyline(points, x, y, attrs) {
  const d = points
    .filter((p) => p.v != null)
    .map((p) => `${num(x(p.t))},${num(y(p.v))}`)
    .join(' ');
  return `<polyline fill="none" points="${d}" ${attrs}/>`;
}

function text(xp, yp, s, attrs = '') {
  return `<text x="${num(xp)}" y="${num(yp)}" ${attrs}>${esc(s)}</text>`;
}

function xAxis(x, tMax, unit) {
  const div = unit === 'min' ? 60 : 1;
  const out = [];
  for (const v of ticks(0, tMax / div, 8)) {
    const px = x(v * div);
    out.push(`<line x1="${num(px)}" y1="${M.top}" x2="${num(px)}" y2="${M.top + PH}" stroke="${COLORS.grid}"/>`);
    out.push(`<line x1="${num(px)}" y1="${M.top + PH}" x2="${num(px)}" y2="${M.top + PH + 5}" stroke="${COLORS.axis}"/>`);
    out.push(text(px, M.top + PH + 19, v, 'text-anchor="middle"'));
  }
  out.push(text(M.left + PW / 2, M.top + PH + 38, `time since traffic start (${unit})`, 'text-anchor="middle"'));
  return out;
}

function yAxis(y, yMax, { side, label, color, grid }) {
  const out = [];
  const xLine = side === 'left' ? M.left : M.left + PW;
  const tickDir = side === 'left' ? -5 : 5;
  for (const v of ticks(0, yMax, 6)) {
    const py = y(v);
    if (grid) out.push(`<line x1="${M.left}" y1="${num(py)}" x2="${M.left + PW}" y2="${num(py)}" stroke="${COLORS.grid}"/>`);
    out.push(`<line x1="${xLine}" y1="${num(py)}" x2="${xLine + tickDir}" y2="${num(py)}" stroke="${color}"/>`);
    const anchor = side === 'left' ? 'end' : 'start';
    out.push(text(xLine + tickDir * 1.8, py + 4, v, `text-anchor="${anchor}" fill="${color}"`));
  }
  const lx = side === 'left' ? 18 : W - 18;
  const rot = side === 'left' ? -90 : 90;
  out.push(
    `<text transform="translate(${lx},${M.top + PH / 2}) rotate(${rot})" text-anchor="middle" fill="${color}">${esc(label)}</text>`,
  );
  return out;
}

function band(x, t0, t1, fill, label) {
  const x0 = x(t0);
  const x1 = x(t1);
  return [
    `<rect x="${num(x0)}" y="${M.top}" width="${num(x1 - x0)}" height="${PH}" fill="${fill}"/>`,
    text((x0 + x1) / 2, M.top + 14, label, `text-anchor="middle" fill="${COLORS.axis}" font-size="11"`),
  ];
}

function windowMax(x, y, [t0, t1], v, label) {
  if (v == null) return [];
  const py = y(v / 1024);
  return [
    `<line x1="${num(x(t0))}" y1="${num(py)}" x2="${num(x(t1))}" y2="${num(py)}" stroke="${COLORS.window}" stroke-width="2"/>`,
    text((x(t0) + x(t1)) / 2, py - 6, label, `text-anchor="middle" fill="${COLORS.window}" font-size="11"`),
  ];
}

function legend() {
  const items = [
    ['RSS', COLORS.rss, ''],
    ['members (right axis)', COLORS.members, ''],
    ['least-squares fit after warm-up', COLORS.fit, 'stroke-dasharray="6 4"'],
    ['window maxima compared', COLORS.window, ''],
  ];
  const out = [];
  let lx = M.left;
  for (const [label, color, dash] of items) {
    out.push(`<line x1="${lx}" y1="${M.top - 12}" x2="${lx + 22}" y2="${M.top - 12}" stroke="${color}" stroke-width="2" ${dash}/>`);
    out.push(text(lx + 27, M.top - 8, label, 'font-size="11"'));
    lx += 40 + label.length * 6.2;
  }
  return out;
}

// samples: [{t, rssKiB, members}]; verdict from analysis.rssVerdict; title, subtitle, note
// (a footnote): strings.
export function renderRssSvg({ samples, durationS, verdict, title, subtitle = '', note = '' }) {
  const tMax = Math.max(durationS, ...samples.map((s) => s.t));
  const unit = tMax > 240 ? 'min' : 's';
  const x = scale(0, tMax, M.left, M.left + PW);
  const rssMaxMiB = Math.max(...samples.map((s) => (s.rssKiB ?? 0) / 1024));
  const yMaxMiB = niceCeil(rssMaxMiB * 1.1);
  const y = scale(0, yMaxMiB, M.top + PH, M.top);
  const memMax = Math.max(1, ...samples.map((s) => s.members ?? 0));
  const yMemMax = niceCeil(memMax * 1.1);
  const yMem = scale(0, yMemMax, M.top + PH, M.top);
  const { fit, warmupS } = verdict;

  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12" fill="${COLORS.text}">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    text(W / 2, 24, title, 'text-anchor="middle" font-size="15" font-weight="bold"'),
    text(W / 2, 44, subtitle, `text-anchor="middle" font-size="12" fill="${COLORS.axis}"`),
    ...band(x, 0, warmupS, COLORS.warmup, 'warm-up'),
    ...(tMax > durationS ? band(x, durationS, tMax, COLORS.drain, 'drain') : []),
    ...yAxis(y, yMaxMiB, { side: 'left', label: 'RSS (MiB)', color: COLORS.rss, grid: true }),
    ...yAxis(yMem, yMemMax, { side: 'right', label: 'members (server gauge)', color: COLORS.members, grid: false }),
    ...xAxis(x, tMax, unit),
    `<line x1="${num(x(warmupS))}" y1="${M.top}" x2="${num(x(warmupS))}" y2="${M.top + PH}" stroke="${COLORS.axis}" stroke-dasharray="4 3"/>`,
    polyline(samples.map((s) => ({ t: s.t, v: s.members })), x, yMem, `stroke="${COLORS.members}" stroke-width="1"`),
    polyline(samples.map((s) => ({ t: s.t, v: s.rssKiB == null ? null : s.rssKiB / 1024 })), x, y, `stroke="${COLORS.rss}" stroke-width="2"`),
    polyline(
      [warmupS, durationS].map((t) => ({ t, v: (fit.a + fit.b * t) / 1024 })),
      x,
      y,
      `stroke="${COLORS.fit}" stroke-width="1.5" stroke-dasharray="6 4"`,
    ),
    ...windowMax(x, y, verdict.baseline, verdict.baselineMax, 'baseline max'),
    ...windowMax(x, y, verdict.final, verdict.finalMax, 'final max'),
    text(M.left, H - 8, note, `fill="${COLORS.axis}" font-size="11"`),
    `<rect x="${M.left}" y="${M.top}" width="${PW}" height="${PH}" fill="none" stroke="${COLORS.axis}"/>`,
    ...legend(),
    '</svg>',
  ];
  return `${parts.join('\n')}\n`;
}
