// Enter sends, Shift+Enter is a newline — except while an IME is composing: a Hangul
// syllable is still being built and Enter only commits it. Browsers disagree on how they
// say so (isComposing, keyCode 229, or only composition events), so check all three.

export interface EnterKey {
  key: string;
  shiftKey: boolean;
  isComposing: boolean;
  keyCode: number;
}

export function shouldSendOnKey(e: EnterKey, composing: boolean): boolean {
  if (e.key !== 'Enter' || e.shiftKey) return false;
  if (composing || e.isComposing || e.keyCode === 229) return false;
  return true;
}
