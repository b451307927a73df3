// The bar at the bottom of the meeting: clock and room, the call controls, chat.
import { useEffect, useRef, useState, type ReactNode } from 'react';

import { CopyLinkButton, LanguageSwitch } from './common';
import { DeviceSelect } from './DeviceSelect';
import { useI18n } from './i18n';
import { CamIcon, CamOffIcon, ChatIcon, CloseIcon, LeaveIcon, MicIcon, MicOffIcon, ScreenIcon, ScreenOffIcon, SettingsIcon } from './icons';
import { supportsSpeakerSelection, type DeviceLists } from './media';

function Clock() {
  const { formatTime } = useI18n();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 10_000);
    return () => clearInterval(timer);
  }, []);
  return <span className="clock">{formatTime(now)}</span>;
}

function ControlButton({
  label,
  testId,
  onClick,
  off = false,
  active = false,
  danger = false,
  pressed,
  disabled = false,
  children,
  badge,
}: {
  label: string;
  testId: string;
  onClick: () => void;
  off?: boolean;
  active?: boolean;
  danger?: boolean;
  pressed?: boolean;
  disabled?: boolean;
  children: ReactNode;
  badge?: number;
}) {
  const classes = ['round-btn', off ? 'off' : '', active ? 'active' : '', danger ? 'danger' : ''].filter(Boolean).join(' ');
  return (
    <button type="button" className={classes} data-testid={testId} aria-label={label} title={label} aria-pressed={pressed} disabled={disabled} onClick={onClick}>
      {children}
      {badge ? (
        <span className="count-badge" data-testid="unread-badge">
          {badge > 99 ? '99+' : badge}
        </span>
      ) : null}
    </button>
  );
}

export interface ControlsProps {
  roomKey: string;
  micOn: boolean;
  camOn: boolean;
  sharing: boolean;
  hasMic: boolean;
  hasCam: boolean;
  canShare: boolean;
  chatOpen: boolean;
  unread: number;
  onMic: () => void;
  onCam: () => void;
  onShare: () => void;
  onChat: () => void;
  onLeave: () => void;
  settings: SettingsProps;
}

export function Controls(p: ControlsProps) {
  const { t } = useI18n();
  const [settingsOpen, setSettingsOpen] = useState(false);
  return (
    <footer className="controls" data-testid="controls">
      <div className="controls-start">
        <Clock />
        <span className="divider-dot" aria-hidden="true" />
        <span className="room-key" title={p.roomKey}>
          {p.roomKey}
        </span>
        <CopyLinkButton roomKey={p.roomKey} compact />
      </div>
      <div className="controls-center">
        <ControlButton label={p.micOn ? t('muteMic') : t('unmuteMic')} testId="toggle-mic" off={!p.micOn} pressed={!p.micOn} disabled={!p.hasMic} onClick={p.onMic}>
          {p.micOn ? <MicIcon /> : <MicOffIcon />}
        </ControlButton>
        <ControlButton label={p.camOn ? t('stopCamera') : t('startCamera')} testId="toggle-camera" off={!p.camOn} pressed={!p.camOn} disabled={!p.hasCam} onClick={p.onCam}>
          {p.camOn ? <CamIcon /> : <CamOffIcon />}
        </ControlButton>
        {p.canShare && (
          <ControlButton label={p.sharing ? t('stopShare') : t('shareScreen')} testId="toggle-screen" active={p.sharing} pressed={p.sharing} onClick={p.onShare}>
            {p.sharing ? <ScreenOffIcon /> : <ScreenIcon />}
          </ControlButton>
        )}
        <div className="popover-anchor">
          <ControlButton label={t('settings')} testId="settings" active={settingsOpen} pressed={settingsOpen} onClick={() => setSettingsOpen((o) => !o)}>
            <SettingsIcon />
          </ControlButton>
          {settingsOpen && <Settings {...p.settings} onClose={() => setSettingsOpen(false)} />}
        </div>
        <button type="button" className="leave-btn" data-testid="leave" aria-label={t('leaveCall')} title={t('leaveCall')} onClick={p.onLeave}>
          <LeaveIcon />
        </button>
      </div>
      <div className="controls-end">
        <ControlButton
          label={p.chatOpen ? t('closeChat') : p.unread ? `${t('openChat')} — ${t('unread', { count: p.unread })}` : t('openChat')}
          testId="toggle-chat"
          active={p.chatOpen}
          pressed={p.chatOpen}
          badge={p.chatOpen ? 0 : p.unread}
          onClick={p.onChat}
        >
          <ChatIcon />
        </ControlButton>
      </div>
    </footer>
  );
}

export interface SettingsProps {
  devices: DeviceLists;
  cameraId: string | null;
  micId: string | null;
  speakerId: string | null;
  onDevice: (kind: 'audio' | 'video' | 'speaker', deviceId: string) => void;
}

function Settings({ devices, cameraId, micId, speakerId, onDevice, onClose }: SettingsProps & { onClose: () => void }) {
  const { t } = useI18n();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const onDown = (e: PointerEvent) => {
      const anchor = ref.current?.parentElement;
      if (anchor && !anchor.contains(e.target as Node)) onClose();
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    document.addEventListener('pointerdown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('pointerdown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [onClose]);
  return (
    <div className="popover" ref={ref} role="dialog" aria-label={t('settings')} data-testid="settings-popover">
      <div className="popover-header">
        <h2>{t('settings')}</h2>
        <button type="button" className="btn btn-ghost btn-icon" aria-label={t('close')} title={t('close')} onClick={onClose}>
          <CloseIcon size={18} />
        </button>
      </div>
      <DeviceSelect label="microphone" testId="select-microphone" devices={devices.microphones} value={micId} onChange={(id) => onDevice('audio', id)} />
      {supportsSpeakerSelection() && (
        <DeviceSelect label="speaker" testId="select-speaker" devices={devices.speakers} value={speakerId} onChange={(id) => onDevice('speaker', id)} />
      )}
      <DeviceSelect label="camera" testId="select-camera" devices={devices.cameras} value={cameraId} onChange={(id) => onDevice('video', id)} />
      <div className="popover-row">
        <span className="field-label">{t('language')}</span>
        <LanguageSwitch />
      </div>
      <p className="muted-text small">{t('shortcuts')}</p>
    </div>
  );
}
