// /r/<key>: owns the camera/microphone stream from the pre-join screen through the meeting,
// and decides which screen shows (pre-join, meeting, left, the room password, or an error).
import { useCallback, useEffect, useState } from 'react';

import type { MediaState, MeetingError } from '../signaling/types';
import { MessageScreen } from './common';
import { memberId as tabMemberId } from './env';
import { useI18n } from './i18n';
import {
  acquireMedia,
  isAcquireFailure,
  listDevices,
  openTrack,
  stopStream,
  swapTrack,
  type AcquireFailure,
  type DeviceLists,
  type MediaNotice,
} from './media';
import { MeetingView } from './MeetingView';
import { PasswordPrompt } from './PasswordPrompt';
import { PreJoin } from './PreJoin';
import { refusalFor } from './refusals';
import { forgetRoomPassword, rememberRoomPassword, roomPassword, roomToken, tokenSubject } from './roomAccess';
import { generateRoomKey, roomPath } from './roomKey';
import { navigate } from './route';
import { audioContext } from './speaker';
import { keys, load, save } from './storage';

type Stage =
  | { name: 'prejoin' }
  | { name: 'meeting'; media: MediaState; session: number }
  | { name: 'left' }
  | { name: 'password'; media: MediaState; wrong: boolean }
  | { name: 'error'; error: MeetingError };

const noDevices: DeviceLists = { cameras: [], microphones: [], speakers: [] };

function trackDevice(stream: MediaStream | null, kind: 'audio' | 'video'): string | null {
  const track = kind === 'audio' ? stream?.getAudioTracks()[0] : stream?.getVideoTracks()[0];
  return track?.getSettings().deviceId ?? null;
}

export function Room({ roomKey }: { roomKey: string }) {
  const { t } = useI18n();
  const [stage, setStage] = useState<Stage>({ name: 'prejoin' });
  const [tabId, setTabId] = useState(() => tabMemberId());
  // The invitation's token (captured from the link at page load) names us: its `sub` is our id.
  const [token] = useState(() => roomToken(roomKey));
  const memberId = (token ? tokenSubject(token) : null) ?? tabId;
  const [password, setPassword] = useState(() => roomPassword(roomKey));
  const [name, setName] = useState(() => load(keys.name) ?? '');
  const [nameMissing, setNameMissing] = useState(false);

  const [attempt, setAttempt] = useState(0);
  const [stream, setStream] = useState<MediaStream | null>(null);
  const [streamVersion, setStreamVersion] = useState(0);
  const [failure, setFailure] = useState<AcquireFailure | null>(null);
  const [notice, setNotice] = useState<MediaNotice>(null);
  const [devices, setDevices] = useState<DeviceLists>(noDevices);
  const [speakerId, setSpeakerId] = useState(() => load(keys.speaker));
  const [micOn, setMicOn] = useState(true);
  const [camOn, setCamOn] = useState(true);

  // Acquire camera + microphone (again on "try again" and after leaving and rejoining).
  useEffect(() => {
    if (attempt < 0) return;
    let cancelled = false;
    let got: MediaStream | null = null;
    acquireMedia(load(keys.camera), load(keys.microphone)).then(
      ({ stream: s, notice: n }) => {
        if (cancelled) return stopStream(s);
        got = s;
        setStream(s);
        setNotice(n);
        setFailure(null);
      },
      (error: unknown) => {
        if (cancelled) return;
        setFailure(isAcquireFailure(error) ? error : { problem: 'other', message: String(error) });
      },
    );
    return () => {
      cancelled = true;
      stopStream(got);
    };
  }, [attempt]);

  // Device lists: labels appear only once permission was granted, so refresh with the stream.
  useEffect(() => {
    if (!navigator.mediaDevices?.enumerateDevices) return;
    const refresh = () => void listDevices().then(setDevices, () => undefined);
    refresh();
    navigator.mediaDevices.addEventListener('devicechange', refresh);
    return () => navigator.mediaDevices.removeEventListener('devicechange', refresh);
  }, [stream]);

  const changeDevice = useCallback(
    async (kind: 'audio' | 'video' | 'speaker', deviceId: string): Promise<MediaStreamTrack | null> => {
      if (kind === 'speaker') {
        save(keys.speaker, deviceId);
        setSpeakerId(deviceId);
        return null;
      }
      if (!stream) return null;
      const track = await openTrack(kind, deviceId);
      swapTrack(stream, track);
      save(kind === 'video' ? keys.camera : keys.microphone, deviceId);
      setStreamVersion((v) => v + 1);
      return track;
    },
    [stream],
  );

  const toggleMic = () => {
    const next = !micOn;
    stream?.getAudioTracks().forEach((tr) => (tr.enabled = next));
    setMicOn(next);
  };
  const toggleCam = () => {
    const next = !camOn;
    stream?.getVideoTracks().forEach((tr) => (tr.enabled = next));
    setCamOn(next);
  };

  const join = () => {
    if (!name.trim()) {
      setNameMissing(true);
      return;
    }
    save(keys.name, name.trim());
    audioContext(); // created inside the click, so the browser lets it run
    const media: MediaState = {
      audio: micOn && (stream?.getAudioTracks().length ?? 0) > 0,
      video: camOn && (stream?.getVideoTracks().length ?? 0) > 0,
      screen: false,
    };
    setStage({ name: 'meeting', media, session: Date.now() });
  };

  const leave = useCallback(() => {
    stopStream(stream);
    setStream(null);
    setStage({ name: 'left' });
  }, [stream]);

  const fatal = useCallback(
    (error: MeetingError) => {
      const refusal = refusalFor(error.kind);
      if (refusal?.screen === 'password') {
        // Keep the camera: the next try is one password away.
        if (refusal.wrong) forgetRoomPassword(roomKey);
        setStage((s) => ({ name: 'password', media: s.name === 'meeting' ? s.media : { audio: micOn, video: camOn, screen: false }, wrong: refusal.wrong }));
        return;
      }
      stopStream(stream);
      setStream(null);
      setStage({ name: 'error', error });
    },
    [stream, roomKey, micOn, camOn],
  );

  const admitted = useCallback(() => {
    if (password) rememberRoomPassword(roomKey, password);
  }, [password, roomKey]);

  const rejoin = (freshId: boolean) => {
    if (freshId) setTabId(tabMemberId(true));
    setMicOn(true);
    setCamOn(true);
    setAttempt((a) => a + 1);
    setStage({ name: 'prejoin' });
  };
  const home = () => navigate('/');
  const newMeeting = () => navigate(roomPath(generateRoomKey()));

  if (stage.name === 'meeting' && stream) {
    return (
      <MeetingView
        key={stage.session}
        roomKey={roomKey}
        memberId={memberId}
        nickname={name.trim()}
        token={token}
        roomPassword={password}
        localStream={stream}
        streamVersion={streamVersion}
        initialMedia={stage.media}
        devices={devices}
        speakerId={speakerId}
        cameraId={trackDevice(stream, 'video')}
        micId={trackDevice(stream, 'audio')}
        onDevice={changeDevice}
        onLeave={leave}
        onFatal={fatal}
        onAdmitted={admitted}
      />
    );
  }
  if (stage.name === 'password' && stream) {
    const { media } = stage;
    return (
      <PasswordPrompt
        key={stage.wrong ? 'wrong' : 'ask'}
        roomKey={roomKey}
        wrong={stage.wrong}
        onSubmit={(next) => {
          setPassword(next);
          setStage({ name: 'meeting', media, session: Date.now() });
        }}
        onHome={home}
      />
    );
  }
  if (stage.name === 'left') {
    return (
      <MessageScreen
        tone="info"
        testId="left-screen"
        title={t('leftTitle')}
        body={t('leftBody')}
        actions={[
          { label: t('rejoin'), onClick: () => rejoin(false), primary: true, testId: 'rejoin' },
          { label: t('backHome'), onClick: home },
        ]}
      />
    );
  }
  if (stage.name === 'error') {
    const { kind, message } = stage.error;
    const refusal = refusalFor(kind);
    if (refusal?.screen === 'removed') {
      return (
        <MessageScreen
          testId="removed-screen"
          title={t('removedTitle')}
          body={t('removedBody')}
          actions={[{ label: t('backHome'), onClick: home, primary: true }]}
        />
      );
    }
    if (refusal?.screen === 'invitation') {
      return (
        <MessageScreen
          testId="auth-error-screen"
          reason={refusal.problem}
          title={t(refusal.title)}
          body={t(refusal.body, { room: roomKey })}
          detail={message}
          actions={[{ label: t('backHome'), onClick: home, primary: true }]}
        />
      );
    }
    if (kind === 'room-full') {
      return (
        <MessageScreen
          testId="error-room-full"
          title={t('roomFullTitle')}
          body={t('roomFullBody')}
          actions={[
            { label: t('tryAgain'), onClick: () => rejoin(false), primary: true },
            { label: t('startNewMeeting'), onClick: newMeeting },
          ]}
        />
      );
    }
    if (kind === 'identity-taken') {
      return (
        <MessageScreen
          testId="error-identity-taken"
          title={t('identityTakenTitle')}
          body={t('identityTakenBody')}
          actions={[
            { label: t('joinHere'), onClick: () => rejoin(true), primary: true, testId: 'join-here' },
            { label: t('backHome'), onClick: home },
          ]}
        />
      );
    }
    return (
      <MessageScreen
        testId={`error-${kind}`}
        title={t('protocolTitle')}
        body={t('protocolBody', { message })}
        actions={[
          { label: t('rejoin'), onClick: () => rejoin(false), primary: true },
          { label: t('backHome'), onClick: home },
        ]}
      />
    );
  }
  return (
    <PreJoin
      roomKey={roomKey}
      memberId={memberId}
      name={name}
      onName={(n) => {
        setName(n);
        setNameMissing(false);
      }}
      nameMissing={nameMissing}
      stream={stream}
      streamVersion={streamVersion}
      failure={failure}
      notice={notice}
      devices={devices}
      cameraId={trackDevice(stream, 'video')}
      micId={trackDevice(stream, 'audio')}
      speakerId={speakerId}
      onDevice={(kind, id) => void changeDevice(kind, id).catch(() => undefined)}
      micOn={micOn}
      camOn={camOn}
      onToggleMic={toggleMic}
      onToggleCam={toggleCam}
      onRetry={() => {
        setFailure(null);
        setAttempt((a) => a + 1);
      }}
      onWithoutDevices={() => {
        setFailure(null);
        setNotice(null);
        setMicOn(false);
        setCamOn(false);
        setStream(new MediaStream());
      }}
      onJoin={join}
      onHome={home}
    />
  );
}
