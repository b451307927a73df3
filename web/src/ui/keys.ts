// Meeting shortcuts: M, V, S — but never while the person is typing.

export type Shortcut = 'mic' | 'camera' | 'screen';

export interface KeyLike {
  key: string;
  code?: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  repeat: boolean;
  target: EventTarget | null;
}

function isTyping(target: EventTarget | null): boolean {
  if (!target || typeof target !== 'object' || !('tagName' in target)) return false;
  const el = target as { tagName: string; isContentEditable?: boolean };
  return ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName) || el.isContentEditable === true;
}

export function shortcutFor(e: KeyLike): Shortcut | null {
  if (e.ctrlKey || e.metaKey || e.altKey || e.repeat || isTyping(e.target)) return null;
  // With a Korean layout active, M types "ㅡ": fall back to the physical key.
  const letter = /^[a-z]$/i.test(e.key) ? e.key.toLowerCase() : (/^Key([A-Z])$/.exec(e.code ?? '')?.[1]?.toLowerCase() ?? '');
  switch (letter) {
    case 'm':
      return 'mic';
    case 'v':
      return 'camera';
    case 's':
      return 'screen';
    default:
      return null;
  }
}
