import { describe, expect, it } from 'vitest';

import { shortcutFor } from './keys';

const base = { ctrlKey: false, metaKey: false, altKey: false, repeat: false, target: null };

describe('meeting shortcuts', () => {
  it('M, V, S toggle microphone, camera, screen', () => {
    expect(shortcutFor({ ...base, key: 'm' })).toBe('mic');
    expect(shortcutFor({ ...base, key: 'V' })).toBe('camera');
    expect(shortcutFor({ ...base, key: 's' })).toBe('screen');
    expect(shortcutFor({ ...base, key: 'x' })).toBeNull();
  });

  it('work with a Korean keyboard layout (physical key)', () => {
    expect(shortcutFor({ ...base, key: 'ㅡ', code: 'KeyM' })).toBe('mic');
    expect(shortcutFor({ ...base, key: 'ㅍ', code: 'KeyV' })).toBe('camera');
  });

  it('not while typing in a field', () => {
    for (const tagName of ['INPUT', 'TEXTAREA', 'SELECT']) {
      expect(shortcutFor({ ...base, key: 'm', target: { tagName } as unknown as EventTarget })).toBeNull();
    }
    const editable = { tagName: 'DIV', isContentEditable: true } as unknown as EventTarget;
    expect(shortcutFor({ ...base, key: 'm', target: editable })).toBeNull();
  });

  it('not with modifiers (Ctrl+S saves, Cmd+V pastes) or key repeat', () => {
    expect(shortcutFor({ ...base, key: 's', ctrlKey: true })).toBeNull();
    expect(shortcutFor({ ...base, key: 'v', metaKey: true })).toBeNull();
    expect(shortcutFor({ ...base, key: 'm', altKey: true })).toBeNull();
    expect(shortcutFor({ ...base, key: 'm', repeat: true })).toBeNull();
  });
});
