import { describe, expect, it } from 'vitest';

import { shouldSendOnKey } from './ime';

const enter = { key: 'Enter', shiftKey: false, isComposing: false, keyCode: 13 };

describe('Enter in the chat box', () => {
  it('Enter sends', () => {
    expect(shouldSendOnKey(enter, false)).toBe(true);
  });

  it('Shift+Enter is a newline', () => {
    expect(shouldSendOnKey({ ...enter, shiftKey: true }, false)).toBe(false);
  });

  it('Enter while composing Hangul (isComposing) only commits the syllable', () => {
    expect(shouldSendOnKey({ ...enter, isComposing: true }, false)).toBe(false);
  });

  it('Enter with keyCode 229 (IME processing, Safari/old Chrome) does not send', () => {
    expect(shouldSendOnKey({ ...enter, keyCode: 229 }, false)).toBe(false);
  });

  it('Enter between compositionstart and compositionend does not send', () => {
    expect(shouldSendOnKey(enter, true)).toBe(false);
  });

  it('other keys never send', () => {
    expect(shouldSendOnKey({ ...enter, key: 'a', keyCode: 65 }, false)).toBe(false);
  });
});
