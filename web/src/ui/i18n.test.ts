import { describe, expect, it } from 'vitest';

import { catalogs, makeI18n, pickLang, translate, type MessageKey } from './i18n';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('i18n catalog', () => {
  it('Korean has exactly the English keys, none empty', () => {
    expect(Object.keys(catalogs.ko).sort()).toEqual(Object.keys(catalogs.en).sort());
    for (const [lang, catalog] of Object.entries(catalogs)) {
      for (const [key, text] of Object.entries(catalog)) expect(text.trim(), `${lang}.${key}`).not.toBe('');
    }
  });

  it('both languages use the same placeholders in every message', () => {
    for (const key of Object.keys(catalogs.en) as MessageKey[]) {
      expect(placeholders(catalogs.ko[key]), key).toEqual(placeholders(catalogs.en[key]));
    }
  });

  it('Korean strings are actually Korean (not copied English)', () => {
    const untranslated = (Object.keys(catalogs.en) as MessageKey[]).filter(
      (key) => key !== 'appName' && catalogs.ko[key] === catalogs.en[key],
    );
    expect(untranslated).toEqual([]);
  });

  it('translate fills placeholders and leaves unknown ones', () => {
    expect(translate('en', 'roomLabel', { room: 'brave-otter-42' })).toBe('Room brave-otter-42');
    expect(translate('ko', 'unread', { count: 3 })).toBe('읽지 않은 메시지 3개');
    expect(translate('en', 'roomLabel')).toBe('Room {room}');
  });

  it('language: stored choice, else the browser’s, else English', () => {
    expect(pickLang('ko', ['en-US'])).toBe('ko');
    expect(pickLang(null, ['ko-KR', 'en'])).toBe('ko');
    expect(pickLang(null, ['fr-FR', 'en-GB'])).toBe('en');
    expect(pickLang('xx', ['de'])).toBe('en');
    expect(pickLang(null, [])).toBe('en');
  });

  it('times are formatted for the chosen locale', () => {
    const at = new Date(2024, 0, 1, 15, 7).getTime();
    expect(makeI18n('en', () => undefined).formatTime(at)).toMatch(/3:07\s?PM/);
    const ko = makeI18n('ko', () => undefined).formatTime(at);
    // Korean puts the day period first (오후 3:07; "PM 3:07" where Node's ICU lacks the words).
    expect(ko).toBe(new Intl.DateTimeFormat('ko', { hour: 'numeric', minute: '2-digit' }).format(at));
    expect(ko).toMatch(/^(오후|PM)\s?3:07$/);
  });
});
