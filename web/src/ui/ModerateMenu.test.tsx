// @vitest-environment jsdom
/* eslint-disable @typescript-eslint/no-non-null-assertion -- tests: a missing element fails the test either way */
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { Meeting } from '../signaling/meeting';
import { asStream, fakeCamera } from '../signaling/testing/fakes';
import { ScriptedServer } from '../signaling/testing/transports';
import { sendModeration, type ModerateAction } from './moderation';
import { PasswordPrompt } from './PasswordPrompt';
import { Tile } from './Tile';
import type { TileModel } from './tiles';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const bob: TileModel = {
  key: 'bob:camera',
  memberId: 'bob',
  kind: 'camera',
  self: false,
  name: 'Bob',
  stream: null,
  media: { audio: true, video: true, screen: false },
  quality: 'good',
  connecting: false,
};
const me: TileModel = { ...bob, key: 'me:camera', memberId: 'me', self: true, name: 'Me', quality: null };

let container: HTMLDivElement;
let root: Root;
beforeEach(() => {
  container = document.createElement('div');
  document.body.append(container);
  root = createRoot(container);
});
afterEach(() => {
  act(() => root.unmount());
  container.remove();
});

const byTestId = (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`);
const click = (id: string) => act(() => byTestId(id)!.click());

function renderTile(tile: TileModel, onModerate: ((action: ModerateAction, memberId: string) => void) | null) {
  act(() => root.render(<Tile tile={tile} speaking={false} pinned={false} onPin={() => undefined} onModerate={onModerate} sinkId={null} version={0} />));
}

describe('moderator menu', () => {
  it('is not there for a member who is not a moderator', () => {
    renderTile(bob, null);
    expect(document.querySelector('[data-testid^="moderate-menu-"]')).toBeNull();
  });

  it('is not on our own tile', () => {
    renderTile(me, vi.fn());
    expect(document.querySelector('[data-testid^="moderate-menu-"]')).toBeNull();
  });

  it('is a labelled button on a remote tile, opening mute, camera and remove', () => {
    renderTile(bob, vi.fn());
    const button = byTestId('moderate-menu-bob')!;
    expect(button.getAttribute('aria-label')).toBe('Moderate Bob');
    expect(button.getAttribute('aria-expanded')).toBe('false');
    click('moderate-menu-bob');
    expect(button.getAttribute('aria-expanded')).toBe('true');
    expect(byTestId('moderate-popup')!.getAttribute('role')).toBe('menu');
    expect([...byTestId('moderate-popup')!.querySelectorAll('[role="menuitem"]')].map((el) => el.textContent)).toEqual([
      'Mute microphone',
      'Turn off camera',
      'Remove from room',
    ]);
  });

  it('mutes and turns off the camera in one click each', () => {
    const onModerate = vi.fn();
    renderTile(bob, onModerate);
    click('moderate-menu-bob');
    click('moderate-mute-audio');
    expect(byTestId('moderate-popup')).toBeNull();
    click('moderate-menu-bob');
    click('moderate-mute-video');
    expect(onModerate.mock.calls).toEqual([
      ['mute-audio', 'bob'],
      ['mute-video', 'bob'],
    ]);
  });

  it('removes only after a confirmation', () => {
    const onModerate = vi.fn();
    renderTile(bob, onModerate);
    click('moderate-menu-bob');
    click('moderate-kick');
    expect(onModerate).not.toHaveBeenCalled();
    expect(byTestId('moderate-popup')!.textContent).toContain('Remove Bob from the meeting?');
    click('moderate-kick-cancel');
    expect(onModerate).not.toHaveBeenCalled();
    click('moderate-menu-bob');
    click('moderate-kick');
    click('moderate-kick-confirm');
    expect(onModerate.mock.calls).toEqual([['kick', 'bob']]);
  });

  it('closes on Escape', () => {
    renderTile(bob, vi.fn());
    click('moderate-menu-bob');
    act(() => document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' })));
    expect(byTestId('moderate-popup')).toBeNull();
  });

  it('sends the moderation JSON to the room through the meeting', () => {
    const server = new ScriptedServer();
    const meeting = new Meeting(
      {
        url: 'ws://parley.test/ws',
        roomKey: 'r1',
        id: 'mod',
        nickname: 'Mod',
        localStream: asStream(fakeCamera().stream),
        iceServers: [],
        media: { audio: true, video: true, screen: false },
      },
      { transport: server.factory, log: () => undefined },
    );
    meeting.join();
    server.current.connect({ 'user-name': 'mod', 'x-parley-role': 'moderator' });
    renderTile(bob, (action, target) => sendModeration(meeting, action, target));
    for (const item of ['moderate-mute-audio', 'moderate-mute-video', 'moderate-kick', 'moderate-kick-confirm']) {
      if (item !== 'moderate-kick-confirm') click('moderate-menu-bob');
      click(item);
    }
    expect(server.current.sent().filter((b) => b['type'] !== 'join')).toEqual([
      { type: 'mute', from: 'mod', target: 'bob', kind: 'audio' },
      { type: 'mute', from: 'mod', target: 'bob', kind: 'video' },
      { type: 'kick', from: 'mod', target: 'bob' },
    ]);
    void meeting.leave();
  });
});

describe('password prompt', () => {
  it('asks for the password and hands it over on Join', () => {
    const onSubmit = vi.fn();
    act(() => root.render(<PasswordPrompt roomKey="r1" wrong={false} onSubmit={onSubmit} onHome={() => undefined} />));
    expect(byTestId('password-error')).toBeNull();
    const input = byTestId('password-input') as HTMLInputElement;
    expect(input.type).toBe('password');
    act(() => {
      // React tracks the value it set; go through the native setter as typing would.
      Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(input, 'open sesame');
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    click('password-submit');
    expect(onSubmit).toHaveBeenCalledWith('open sesame');
  });

  it('says "Wrong password" after a refusal', () => {
    act(() => root.render(<PasswordPrompt roomKey="r1" wrong onSubmit={() => undefined} onHome={() => undefined} />));
    expect(byTestId('password-error')!.textContent).toBe('Wrong password');
    expect(byTestId('password-input')!.getAttribute('aria-invalid')).toBe('true');
  });
});
