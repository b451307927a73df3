// /r/<key> before joining: see and hear yourself, choose devices, then join.
import type { FormEvent } from 'react';

import { Avatar, CopyLinkButton, TopBar } from './common';
import { DeviceSelect } from './DeviceSelect';
import { useI18n, type MessageKey } from './i18n';
import { CamIcon, CamOffIcon, MicIcon, MicOffIcon } from './icons';
import { LevelMeter } from './LevelMeter';
import { supportsSpeakerSelection, type AcquireFailure, type DeviceLists, type MediaNotice } from './media';
import { VideoView } from './VideoView';

export interface PreJoinProps {
  roomKey: string;
  memberId: string;
  name: string;
  onName: (name: string) => void;
  stream: MediaStream | null;
  streamVersion: number;
  failure: AcquireFailure | null;
  notice: MediaNotice;
  devices: DeviceLists;
  cameraId: string | null;
  micId: string | null;
  speakerId: string | null;
  onDevice: (kind: 'video' | 'audio' | 'speaker', deviceId: string) => void;
  micOn: boolean;
  camOn: boolean;
  onToggleMic: () => void;
  onToggleCam: () => void;
  onRetry: () => void;
  onWithoutDevices: () => void;
  onJoin: () => void;
  onHome: () => void;
  nameMissing: boolean;
}

const problemText: Record<AcquireFailure['problem'], [MessageKey, MessageKey]> = {
  denied: ['deniedTitle', 'deniedBody'],
  'not-found': ['notFoundTitle', 'notFoundBody'],
  'in-use': ['inUseTitle', 'inUseBody'],
  other: ['mediaErrorTitle', 'mediaErrorBody'],
};

export function PreJoin(p: PreJoinProps) {
  const { t } = useI18n();
  const videoTrack = p.stream?.getVideoTracks()[0] ?? null;
  const audioTrack = p.stream?.getAudioTracks()[0] ?? null;
  const showVideo = Boolean(videoTrack && p.camOn);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    p.onJoin();
  };
  const [titleKey, bodyKey] = p.failure ? problemText[p.failure.problem] : ['', ''];

  return (
    <div className="page">
      <TopBar />
      <main className="prejoin">
        <section className="prejoin-preview">
          <div className="preview" data-testid="preview">
            {p.failure ? (
              <div className="preview-problem" role="alert" data-testid={`media-error-${p.failure.problem}`}>
                <h2>{t(titleKey as MessageKey)}</h2>
                <p>{t(bodyKey as MessageKey, { message: p.failure.message })}</p>
                <div className="message-actions">
                  <button type="button" className="btn btn-primary" data-testid="media-retry" onClick={p.onRetry}>
                    {t('tryAgain')}
                  </button>
                  <button
                    type="button"
                    className="btn btn-secondary"
                    data-testid="join-without-devices"
                    onClick={p.onWithoutDevices}
                  >
                    {t('joinWithoutDevices')}
                  </button>
                </div>
              </div>
            ) : (
              <>
                <VideoView stream={p.stream} version={p.streamVersion} mirrored muted hidden={!showVideo} />
                {!showVideo && (
                  <div className="preview-off">
                    {p.stream ? (
                      <Avatar id={p.memberId} name={p.name || '?'} size="lg" />
                    ) : (
                      <span className="muted-text">{t('startingCamera')}</span>
                    )}
                    {p.stream && !p.camOn && <span className="muted-text">{t('cameraOff')}</span>}
                  </div>
                )}
                <div className="preview-name">{p.name}</div>
                {audioTrack && p.micOn && (
                  <div className="preview-meter">
                    <LevelMeter track={audioTrack} />
                  </div>
                )}
                <div className="preview-controls">
                  <button
                    type="button"
                    className={`round-btn ${p.micOn ? '' : 'off'}`}
                    data-testid="prejoin-mic-toggle"
                    aria-pressed={!p.micOn}
                    disabled={!audioTrack}
                    aria-label={p.micOn ? t('joinWithMicOff') : t('unmuteMic')}
                    title={p.micOn ? t('joinWithMicOff') : t('unmuteMic')}
                    onClick={p.onToggleMic}
                  >
                    {p.micOn && audioTrack ? <MicIcon /> : <MicOffIcon />}
                  </button>
                  <button
                    type="button"
                    className={`round-btn ${p.camOn ? '' : 'off'}`}
                    data-testid="prejoin-camera-toggle"
                    aria-pressed={!p.camOn}
                    disabled={!videoTrack}
                    aria-label={p.camOn ? t('joinWithCameraOff') : t('startCamera')}
                    title={p.camOn ? t('joinWithCameraOff') : t('startCamera')}
                    onClick={p.onToggleCam}
                  >
                    {p.camOn && videoTrack ? <CamIcon /> : <CamOffIcon />}
                  </button>
                </div>
              </>
            )}
          </div>
          {p.notice && (
            <p className="notice" role="status" data-testid="media-notice">
              {t(p.notice === 'no-camera' ? 'noCameraNotice' : 'noMicNotice')}
            </p>
          )}
          {!p.failure && (
          <div className="device-row">
            <DeviceSelect
              label="microphone"
              testId="select-microphone"
              devices={p.devices.microphones}
              value={p.micId}
              onChange={(id) => p.onDevice('audio', id)}
            />
            {supportsSpeakerSelection() && (
              <DeviceSelect
                label="speaker"
                testId="select-speaker"
                devices={p.devices.speakers}
                value={p.speakerId}
                onChange={(id) => p.onDevice('speaker', id)}
              />
            )}
            <DeviceSelect
              label="camera"
              testId="select-camera"
              devices={p.devices.cameras}
              value={p.cameraId}
              onChange={(id) => p.onDevice('video', id)}
            />
          </div>
          )}
        </section>
        <section className="prejoin-side">
          <h1>{t('readyToJoin')}</h1>
          <p className="room-label">
            <span>{t('roomLabel', { room: p.roomKey })}</span>
            <CopyLinkButton roomKey={p.roomKey} compact />
          </p>
          <form className="prejoin-form" onSubmit={submit}>
            <label className="field">
              <span className="field-label">{t('yourName')}</span>
              <input
                className="input"
                data-testid="name-input"
                value={p.name}
                maxLength={40}
                autoComplete="nickname"
                placeholder={t('namePlaceholder')}
                aria-invalid={p.nameMissing}
                onChange={(e) => p.onName(e.target.value)}
              />
            </label>
            {p.nameMissing && (
              <p className="field-error" role="alert">
                {t('nameRequired')}
              </p>
            )}
            <button
              type="submit"
              className="btn btn-primary btn-lg btn-block"
              data-testid="join-button"
              disabled={!p.stream}
              aria-label={t('joinNow')}
              title={t('joinNow')}
            >
              {t('joinNow')}
            </button>
            <button type="button" className="btn btn-text" onClick={p.onHome}>
              {t('backHome')}
            </button>
          </form>
        </section>
      </main>
    </div>
  );
}
