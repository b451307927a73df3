import { describe, expect, it } from 'vitest';

import { makeI18n } from './i18n';
import { moderationNotice } from './moderation';

const { t } = makeI18n('en', () => undefined);
const ko = makeI18n('ko', () => undefined).t;

describe('moderation notices', () => {
  it('someone else removed: "<nickname> was removed"', () => {
    expect(moderationNotice({ action: 'kick', by: 'mod', target: 'a', nickname: 'Alice' }, t)).toBe('Alice was removed');
    expect(moderationNotice({ action: 'kick', by: 'mod', target: 'a', nickname: '앨리스' }, ko)).toBe('앨리스님이 회의에서 내보내졌습니다');
  });

  it('our microphone or camera turned off by a moderator', () => {
    const mute = { action: 'mute', by: 'mod', target: 'me', nickname: 'Me', self: true } as const;
    expect(moderationNotice({ ...mute, kind: 'audio' }, t)).toBe('A moderator muted your microphone');
    expect(moderationNotice({ ...mute, kind: 'video' }, t)).toBe('A moderator turned off your camera');
  });

  it('someone else muted: nothing to say (their tile shows it)', () => {
    expect(moderationNotice({ action: 'mute', by: 'mod', target: 'a', nickname: 'Alice', kind: 'audio', self: false }, t)).toBeNull();
  });
});
