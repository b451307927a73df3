// The meeting: connects a Meeting, shows everyone, and wires the controls and the chat.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';

import { Meeting } from '../signaling/meeting';
import type { ChatMessage, ConnectionStatus, MediaState, MeetingError, MemberRole, Participant } from '../signaling/types';
import { ChatPanel } from './ChatPanel';
import { CopyLinkButton } from './common';
import { Controls } from './Controls';
import { fetchIceServers, iceTransportPolicy, webSocketUrl } from './env';
import { useI18n } from './i18n';
import { AlertIcon } from './icons';
import { shortcutFor } from './keys';
import { stopStream, type DeviceLists } from './media';
import { moderationNotice, sendModeration, type ModerateAction } from './moderation';
import { audioContext, SpeakerDetector } from './speaker';
import { Stage } from './Stage';
import { exposeForTests } from './testHooks';
import { buildTiles } from './tiles';

export interface MeetingViewProps {
  roomKey: string;
  memberId: string;
  nickname: string;
  /** Room token from the invitation link (CONNECT passcode), if any. */
  token: string | null;
  /** Room password (SUBSCRIBE x-room-password), if any. */
  roomPassword: string | null;
  localStream: MediaStream;
  streamVersion: number;
  initialMedia: MediaState;
  devices: DeviceLists;
  cameraId: string | null;
  micId: string | null;
  speakerId: string | null;
  onDevice: (kind: 'audio' | 'video' | 'speaker', deviceId: string) => Promise<MediaStreamTrack | null>;
  onLeave: () => void;
  onFatal: (error: MeetingError) => void;
  /** The server let us into the room (our join came back). */
  onAdmitted: () => void;
}

function mergeHistory(history: ChatMessage[], current: ChatMessage[]): ChatMessage[] {
  const seen = new Set(current.map((m) => m.id));
  return [...history.filter((m) => !seen.has(m.id)), ...current];
}

export function MeetingView(p: MeetingViewProps) {
  const { t } = useI18n();
  const { roomKey, memberId, nickname, token, roomPassword, localStream, initialMedia, onFatal, onAdmitted } = p;
  const [meeting, setMeeting] = useState<Meeting | null>(null);
  const [participants, setParticipants] = useState<Participant[]>([]);
  const [status, setStatus] = useState<ConnectionStatus>('connecting');
  const [unreachable, setUnreachable] = useState(false);
  const [toast, setToast] = useState<string | null>(null);
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [chatOpen, setChatOpen] = useState(false);
  const [unread, setUnread] = useState(0);
  const [pinned, setPinned] = useState<string | null>(null);
  const [speakerId, setSpeakerId] = useState<string | null>(null);
  const [media, setMedia] = useState<MediaState>(initialMedia);
  const [screen, setScreen] = useState<MediaStream | null>(null);
  const [role, setRole] = useState<MemberRole>('member');

  const chatOpenRef = useRef(chatOpen);
  const participantsRef = useRef(participants);
  const screenRef = useRef(screen);
  const mediaRef = useRef(media);
  const onFatalRef = useRef(onFatal);
  const onAdmittedRef = useRef(onAdmitted);
  const roleRef = useRef(role);
  const tRef = useRef(t);
  useEffect(() => {
    onFatalRef.current = onFatal;
    onAdmittedRef.current = onAdmitted;
    roleRef.current = role;
    tRef.current = t;
    chatOpenRef.current = chatOpen;
    participantsRef.current = participants;
    screenRef.current = screen;
    mediaRef.current = media;
  });

  // Connect once per mount. The async start also keeps React's dev double-mount from
  // joining twice: the first mount is cancelled before its Meeting exists.
  useEffect(() => {
    let cancelled = false;
    let current: Meeting | null = null;
    const offs: (() => void)[] = [];
    void (async () => {
      const iceServers = await fetchIceServers(memberId);
      if (cancelled) return;
      const m = new Meeting({
        url: webSocketUrl(),
        roomKey,
        id: memberId,
        nickname,
        localStream,
        iceServers,
        iceTransportPolicy: iceTransportPolicy(),
        media: initialMedia,
        token,
        roomPassword,
      });
      current = m;
      offs.push(
        m.on('status', (s) => {
          setStatus(s);
          if (s !== 'connected') return;
          setUnreachable(false);
          onAdmittedRef.current();
        }),
        m.on('participants', (list) => setParticipants(list)),
        m.on('chat', (message) => {
          setMessages((all) => [...all, message]);
          if (!chatOpenRef.current && !message.self) setUnread((n) => n + 1);
        }),
        m.on('history', (history) => setMessages((all) => mergeHistory(history, all))),
        m.on('error', (error) => {
          if (error.kind === 'server-unreachable') setUnreachable(true);
          else if (error.kind === 'protocol') setToast(error.message);
          else onFatalRef.current(error);
        }),
        m.on('role', setRole),
        m.on('localMedia', setMedia),
        m.on('moderation', (event) => {
          const notice = moderationNotice(event, tRef.current);
          if (notice) setToast(notice);
        }),
      );
      exposeForTests({
        meeting: m,
        participants: () => participantsRef.current,
        peerConnections: () => m.peerConnections(),
        localStream,
        memberId,
        role: () => roleRef.current,
      });
      setMeeting(m);
      m.join();
    })();
    return () => {
      cancelled = true;
      offs.forEach((off) => off());
      if (current) void current.leave().catch(() => undefined);
      stopStream(screenRef.current);
      exposeForTests(undefined);
    };
  }, [roomKey, memberId, nickname, token, roomPassword, localStream, initialMedia]);

  // Active speaker: self and every remote stream, sampled together.
  const detector = useRef<SpeakerDetector | null>(null);
  useEffect(() => {
    const ctx = audioContext();
    if (!ctx) return;
    const d = new SpeakerDetector(ctx, setSpeakerId);
    detector.current = d;
    return () => {
      d.close();
      detector.current = null;
    };
  }, []);
  useEffect(() => {
    const streams = new Map<string, MediaStream | null>([[memberId, localStream]]);
    for (const participant of participants) streams.set(participant.id, participant.stream);
    detector.current?.setStreams(streams);
  }, [participants, memberId, localStream, p.streamVersion]);

  const announce = useCallback(
    (next: MediaState) => {
      setMedia(next);
      meeting?.setMedia(next);
    },
    [meeting],
  );

  const toggleMic = useCallback(() => {
    const on = !mediaRef.current.audio;
    localStream.getAudioTracks().forEach((tr) => (tr.enabled = on));
    announce({ ...mediaRef.current, audio: on });
  }, [announce, localStream]);

  const toggleCam = useCallback(() => {
    const on = !mediaRef.current.video;
    localStream.getVideoTracks().forEach((tr) => (tr.enabled = on));
    announce({ ...mediaRef.current, video: on });
  }, [announce, localStream]);

  const stopShare = useCallback(async () => {
    const s = screenRef.current;
    if (!s) return;
    screenRef.current = null;
    setScreen(null);
    stopStream(s);
    announce({ ...mediaRef.current, screen: false });
    await meeting?.stopScreenShare().catch(() => undefined);
  }, [announce, meeting]);

  const startShare = useCallback(async () => {
    if (!meeting || screenRef.current) return;
    let s: MediaStream;
    try {
      s = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 15 } }, audio: false });
    } catch {
      return; // the person closed the picker: nothing to report
    }
    // Stopped from the browser's own "Stop sharing" bar.
    s.getVideoTracks()[0]?.addEventListener('ended', () => void stopShare());
    try {
      await meeting.startScreenShare(s);
    } catch {
      stopStream(s);
      setToast(t('screenShareFailed'));
      return;
    }
    screenRef.current = s;
    setScreen(s);
    announce({ ...mediaRef.current, screen: true });
  }, [meeting, stopShare, announce, t]);

  const toggleShare = useCallback(() => {
    void (screenRef.current ? stopShare() : startShare());
  }, [startShare, stopShare]);

  const canShare = typeof navigator.mediaDevices?.getDisplayMedia === 'function';
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const shortcut = shortcutFor(e);
      if (!shortcut) return;
      e.preventDefault();
      if (shortcut === 'mic') toggleMic();
      else if (shortcut === 'camera') toggleCam();
      else if (canShare) toggleShare();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [toggleMic, toggleCam, toggleShare, canShare]);

  const { onDevice } = p;
  const changeDevice = useCallback(
    (kind: 'audio' | 'video' | 'speaker', deviceId: string) => {
      void (async () => {
        try {
          const track = await onDevice(kind, deviceId);
          if (track && (kind === 'audio' || kind === 'video')) await meeting?.replaceTrack(kind, track);
        } catch {
          setToast(t('deviceSwitchFailed'));
        }
      })();
    },
    [onDevice, meeting, t],
  );

  const leave = useCallback(() => {
    // Unmounting leaves the meeting (the effect's cleanup); Room shows "you left".
    p.onLeave();
  }, [p]);

  useEffect(() => {
    if (!toast) return;
    const timer = setTimeout(() => setToast(null), 6000);
    return () => clearTimeout(timer);
  }, [toast]);

  const onPin = useCallback((key: string) => setPinned((cur) => (cur === key ? null : key)), []);

  const onModerate = useCallback(
    (action: ModerateAction, target: string) => {
      if (meeting) sendModeration(meeting, action, target);
    },
    [meeting],
  );

  const tiles = useMemo(
    () => buildTiles({ id: memberId, name: nickname, stream: localStream, screen, media }, participants),
    [memberId, nickname, localStream, screen, media, participants],
  );
  const alone = participants.length === 0;
  const banner = unreachable ? 'unreachable' : status === 'reconnecting' ? 'reconnecting' : status === 'connecting' && meeting ? 'connecting' : null;

  return (
    <div className={`meeting ${chatOpen ? 'with-panel' : ''}`} data-testid="meeting" data-status={status}>
      {banner && (
        <div className={`status-banner banner-${banner}`} role="status" data-testid="status-banner" data-status={banner}>
          {banner === 'unreachable' ? <AlertIcon size={18} /> : <span className="spinner" aria-hidden="true" />}
          <span>{banner === 'unreachable' ? t('unreachableBanner') : banner === 'reconnecting' ? t('reconnecting') : t('connecting')}</span>
        </div>
      )}
      {toast && (
        <div className="toast" role="alert" data-testid="toast">
          <span>{toast}</span>
        </div>
      )}
      <div className="meeting-body">
        <main className="meeting-main">
          {screen && (
            <div className="presenting-bar" data-testid="presenting">
              <span>{t('presenting')}</span>
              <button type="button" className="btn btn-secondary btn-sm" onClick={() => void stopShare()}>
                {t('stopPresenting')}
              </button>
            </div>
          )}
          <Stage
            tiles={tiles}
            pinned={pinned}
            onPin={onPin}
            onModerate={role === 'moderator' ? onModerate : null}
            speakerId={speakerId}
            sinkId={p.speakerId}
            selfVersion={p.streamVersion}
          />
          {alone && (
            <div className="alone-card" data-testid="alone">
              <h2>{t('aloneTitle')}</h2>
              <p>{t('aloneBody')}</p>
              <div className="alone-link">
                <code>{`${location.host}/r/${roomKey}`}</code>
                <CopyLinkButton roomKey={roomKey} compact />
              </div>
            </div>
          )}
        </main>
        {chatOpen && (
          <ChatPanel
            messages={messages}
            onSend={(text) => meeting?.sendChat(text)}
            onClose={() => setChatOpen(false)}
          />
        )}
      </div>
      <Controls
        roomKey={roomKey}
        micOn={media.audio}
        camOn={media.video}
        sharing={Boolean(screen)}
        hasMic={localStream.getAudioTracks().length > 0}
        hasCam={localStream.getVideoTracks().length > 0}
        canShare={canShare}
        chatOpen={chatOpen}
        unread={unread}
        onMic={toggleMic}
        onCam={toggleCam}
        onShare={toggleShare}
        onChat={() => {
          setChatOpen((open) => !open);
          setUnread(0);
        }}
        onLeave={leave}
        settings={{ devices: p.devices, cameraId: p.cameraId, micId: p.micId, speakerId: p.speakerId, onDevice: changeDevice }}
      />
    </div>
  );
}
