// window.__parley: what Playwright tests read (getStats through the meeting, the tiles' data),
// and window.__parleyRenders: how often the grid rendered (the tests bound it).
import type { MeetingApi, MemberRole, Participant } from '../signaling/types';

export interface ParleyHook {
  meeting: MeetingApi;
  participants: () => Participant[];
  /** Each remote member's current RTCPeerConnection, by member id. */
  peerConnections: () => Map<string, RTCPeerConnection>;
  localStream: MediaStream;
  memberId: string;
  /** From the last CONNECTED's `x-parley-role` ('member' without room tokens). */
  role: () => MemberRole;
}

/** Render counts per component name, since the page loaded. */
export type RenderCounts = Record<string, number>;

declare global {
  interface Window {
    __parley?: ParleyHook;
    __parleyRenders?: RenderCounts;
  }
}

export function exposeForTests(hook: ParleyHook | undefined): void {
  window.__parley = hook;
}

/** Called from a component's body: one increment per render (StrictMode's double render included). */
export function countRender(component: string): void {
  const counts = (window.__parleyRenders ??= {});
  counts[component] = (counts[component] ?? 0) + 1;
}
