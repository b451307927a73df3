// window.__parley: what Playwright tests read (getStats through the meeting, the tiles' data).
import type { MeetingApi, Participant } from '../signaling/types';

export interface ParleyHook {
  meeting: MeetingApi;
  participants: () => Participant[];
  localStream: MediaStream;
  memberId: string;
}

declare global {
  interface Window {
    __parley?: ParleyHook;
  }
}

export function exposeForTests(hook: ParleyHook | undefined): void {
  window.__parley = hook;
}
