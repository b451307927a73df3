import { describe, expect, it } from 'vitest';

import { classifyServerError } from '../signaling/meeting';
import { refusalFor } from './refusals';

describe('what each server refusal shows', () => {
  it.each([
    ['authentication required: room tokens only', { screen: 'invitation', problem: 'auth-required', title: 'authRequiredTitle' }],
    ['invalid token: token expired', { screen: 'invitation', problem: 'token-expired', title: 'tokenExpiredTitle' }],
    ['invalid token: signature mismatch', { screen: 'invitation', problem: 'token-invalid', title: 'tokenInvalidTitle' }],
    ["token does not grant room 'r1'", { screen: 'invitation', problem: 'token-wrong-room', title: 'tokenWrongRoomTitle' }],
    ["room 'r1' requires a password", { screen: 'password', wrong: false }],
    ["wrong password for room 'r1'", { screen: 'password', wrong: true }],
    ["removed from room 'r1'", { screen: 'removed' }],
  ])('%s', (message, screen) => {
    expect(refusalFor(classifyServerError(message))).toMatchObject(screen);
  });

  it('other errors keep their own handling', () => {
    for (const message of ['room full (max 16 members)', 'identity taken: "me"', 'message rate limit']) {
      expect(refusalFor(classifyServerError(message)), message).toBeNull();
    }
  });
});
