// Chat text → pieces: plain text, or a link when (and only when) it is an http(s) URL.
// The UI renders pieces as React text nodes and <a> elements, never as HTML.

export type Piece = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

const URL_LIKE = /\bhttps?:\/\/[^\s<>"'`]+/gi;
// Punctuation that usually ends a sentence rather than the URL.
const TRAILING = /[.,;:!?)\]}'"»”’。、，]+$/;

function safeHref(candidate: string): string | null {
  try {
    const url = new URL(candidate);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

export function linkify(text: string): Piece[] {
  const pieces: Piece[] = [];
  let last = 0;
  const pushText = (s: string) => {
    if (!s) return;
    const prev = pieces[pieces.length - 1];
    if (prev?.kind === 'text') prev.text += s;
    else pieces.push({ kind: 'text', text: s });
  };
  for (const match of text.matchAll(URL_LIKE)) {
    const start = match.index;
    let raw = match[0];
    const trail = TRAILING.exec(raw);
    // Keep a closing paren that has its opening one inside the URL (Wikipedia links).
    if (trail && !(trail[0].startsWith(')') && raw.includes('('))) {
      raw = raw.slice(0, raw.length - trail[0].length);
    }
    const href = safeHref(raw);
    if (!href) continue;
    pushText(text.slice(last, start));
    pieces.push({ kind: 'link', text: raw, href });
    last = start + raw.length;
  }
  pushText(text.slice(last));
  return pieces;
}
