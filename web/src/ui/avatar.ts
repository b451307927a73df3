// Avatars for people without a picture: a letter on a colour that follows the member id.

/** Avatar colour from the id, so a person keeps their colour across tiles. */
export function avatarHue(id: string): number {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
  return h % 360;
}

/** First character (a whole Hangul syllable or emoji, not half of one), upper-cased. */
export function initial(name: string): string {
  const first = [...name.trim()][0];
  return first ? first.toUpperCase() : '?';
}
