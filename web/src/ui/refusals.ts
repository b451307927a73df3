// What the room screen shows when the server refuses us for good (access control and moderation):
// an invitation problem, the password prompt, or "you were removed". Other errors keep their
// existing handling (null here).
import type { MeetingErrorKind } from '../signaling/types';
import type { MessageKey } from './i18n';

export type InvitationProblem = 'auth-required' | 'token-expired' | 'token-invalid' | 'token-wrong-room';

export type Refusal =
  | { screen: 'invitation'; problem: InvitationProblem; title: MessageKey; body: MessageKey }
  | { screen: 'password'; wrong: boolean }
  | { screen: 'removed' };

const invitation: Record<InvitationProblem, [MessageKey, MessageKey]> = {
  'auth-required': ['authRequiredTitle', 'authRequiredBody'],
  'token-expired': ['tokenExpiredTitle', 'tokenExpiredBody'],
  'token-invalid': ['tokenInvalidTitle', 'tokenInvalidBody'],
  'token-wrong-room': ['tokenWrongRoomTitle', 'tokenWrongRoomBody'],
};

export function refusalFor(kind: MeetingErrorKind): Refusal | null {
  switch (kind) {
    case 'auth-required':
    case 'token-expired':
    case 'token-invalid':
    case 'token-wrong-room': {
      const [title, body] = invitation[kind];
      return { screen: 'invitation', problem: kind, title, body };
    }
    case 'password-required':
      return { screen: 'password', wrong: false };
    case 'password-wrong':
      return { screen: 'password', wrong: true };
    case 'removed':
      return { screen: 'removed' };
    default:
      return null;
  }
}
