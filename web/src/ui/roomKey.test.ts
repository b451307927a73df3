import { describe, expect, it } from 'vitest';

import { generateRoomKey, isValidRoomKey, parseRoomInput, roomPath, roomUrl } from './roomKey';

describe('room keys', () => {
  it('generated keys are readable words and a number, lowercase [a-z0-9-]', () => {
    for (let i = 0; i < 500; i++) {
      const key = generateRoomKey();
      expect(key).toMatch(/^[a-z]+-[a-z]+-[1-9][0-9]$/);
      expect(isValidRoomKey(key)).toBe(true);
    }
  });

  it('generation is driven by the random source (edges included)', () => {
    expect(generateRoomKey(() => 0)).toBe('brave-otter-10');
    expect(generateRoomKey(() => 0.999999)).toMatch(/^rapid-wolf-99$/);
  });

  it('PROTOCOL: 1–64 characters of [A-Za-z0-9_-]', () => {
    expect(isValidRoomKey('a')).toBe(true);
    expect(isValidRoomKey('A_b-9')).toBe(true);
    expect(isValidRoomKey('x'.repeat(64))).toBe(true);
    expect(isValidRoomKey('x'.repeat(65))).toBe(false);
    expect(isValidRoomKey('')).toBe(false);
    expect(isValidRoomKey('room.1')).toBe(false);
    expect(isValidRoomKey('회의실')).toBe(false);
    expect(isValidRoomKey('a b')).toBe(false);
  });

  it('join accepts a bare key or a pasted room link', () => {
    expect(parseRoomInput('  brave-otter-42 ')).toBe('brave-otter-42');
    expect(parseRoomInput('http://127.0.0.1:8080/r/brave-otter-42')).toBe('brave-otter-42');
    expect(parseRoomInput('https://meet.example/r/team_standup/?lowres=1')).toBe('team_standup');
    expect(parseRoomInput('/r/abc#x')).toBe('abc');
    expect(parseRoomInput('https://meet.example/r/bad.key')).toBeNull();
    expect(parseRoomInput('https://meet.example/x/abc')).toBeNull();
    expect(parseRoomInput('not a key')).toBeNull();
    expect(parseRoomInput('/r/%E0%A4%A')).toBeNull();
  });

  it('room path and URL', () => {
    expect(roomPath('brave-otter-42')).toBe('/r/brave-otter-42');
    expect(roomUrl('k', 'https://meet.example')).toBe('https://meet.example/r/k');
  });
});
