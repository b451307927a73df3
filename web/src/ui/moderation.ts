// Moderation as the UI sees it: what a moderator's menu item sends, and what a person is told
// when a moderator acted (on them, or on someone else).
import type { MeetingApi, ModerationEvent } from '../signaling/types';
import type { I18n } from './i18n';

export type ModerateAction = 'mute-audio' | 'mute-video' | 'kick';

export function sendModeration(meeting: Pick<MeetingApi, 'kick' | 'mute'>, action: ModerateAction, target: string): void {
  if (action === 'kick') meeting.kick(target);
  else meeting.mute(target, action === 'mute-audio' ? 'audio' : 'video');
}

/** The toast for a moderator's action; null when there is nothing to say. */
export function moderationNotice(event: ModerationEvent, t: I18n['t']): string | null {
  if (event.action === 'kick') return t('memberRemoved', { name: event.nickname });
  if (!event.self) return null; // their tile's badges say it
  return t(event.kind === 'audio' ? 'micMutedByModerator' : 'cameraOffByModerator');
}
