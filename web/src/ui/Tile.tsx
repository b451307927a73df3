// One video tile: the picture (or an avatar), the name, mute and connection indicators, and for
// a moderator, the menu that acts on that member.
import { memo, type CSSProperties } from 'react';

import type { Quality } from '../signaling/types';
import { Avatar } from './common';
import { useI18n, type MessageKey } from './i18n';
import { MicOffIcon, PinIcon, QualityBars } from './icons';
import { ModerateMenu } from './ModerateMenu';
import type { ModerateAction } from './moderation';
import { countRender } from './testHooks';
import type { TileModel } from './tiles';
import { VideoView } from './VideoView';

const qualityInfo: Record<Quality, { level: 0 | 1 | 2 | 3; label: MessageKey }> = {
  good: { level: 3, label: 'qualityGood' },
  fair: { level: 2, label: 'qualityFair' },
  poor: { level: 1, label: 'qualityPoor' },
  unknown: { level: 0, label: 'qualityUnknown' },
};

export const Tile = memo(function Tile({
  tile,
  speaking,
  pinned,
  onPin,
  onModerate = null,
  sinkId,
  version,
  style,
}: {
  tile: TileModel;
  speaking: boolean;
  pinned: boolean;
  onPin: (key: string) => void;
  /** Set only when we are a moderator. */
  onModerate?: ((action: ModerateAction, memberId: string) => void) | null;
  sinkId: string | null;
  version: number;
  style?: CSSProperties;
}) {
  countRender('Tile');
  const { t } = useI18n();
  const isScreen = tile.kind === 'screen';
  const hasVideo = Boolean(tile.stream?.getVideoTracks().length);
  const showVideo = isScreen || (tile.media.video && hasVideo);
  const label = isScreen ? (tile.self ? t('yourScreen') : t('screenOf', { name: tile.name })) : tile.self ? `${tile.name} (${t('you')})` : tile.name;
  const quality = tile.quality ? qualityInfo[tile.quality] : null;
  const pinLabel = pinned ? t('unpin', { name: label }) : t('pin', { name: label });
  const classes = ['tile', isScreen ? 'tile-screen' : '', speaking && !isScreen ? 'speaking' : '', pinned ? 'pinned' : '']
    .filter(Boolean)
    .join(' ');

  return (
    <div
      className={classes}
      style={style}
      data-testid="tile"
      data-member-id={tile.memberId}
      data-kind={tile.kind}
      data-self={tile.self ? 'true' : 'false'}
      data-speaking={speaking ? 'true' : 'false'}
      onDoubleClick={() => onPin(tile.key)}
      onClick={(e) => {
        if (e.detail === 1 && (e.target as HTMLElement).tagName === 'VIDEO') onPin(tile.key);
      }}
    >
      <VideoView
        stream={tile.stream}
        version={version}
        mirrored={tile.self && !isScreen}
        // Our own audio would echo; a screen tile carries no sound of its own.
        muted={tile.self || isScreen}
        sinkId={sinkId}
        fit={isScreen ? 'contain' : 'cover'}
        hidden={!showVideo}
      />
      {!showVideo && (
        <div className="tile-placeholder">
          <Avatar id={tile.memberId} name={tile.name} size="lg" />
          {tile.connecting && <span className="muted-text">{t('connectingPeer')}</span>}
        </div>
      )}
      <div className="tile-top">
        {quality && (
          <span className={`badge quality quality-${tile.quality ?? 'unknown'}`} title={t(quality.label)} aria-label={t(quality.label)} data-testid="quality">
            <QualityBars level={quality.level} />
          </span>
        )}
        <button
          type="button"
          className={`tile-pin ${pinned ? 'active' : ''}`}
          data-testid="pin"
          aria-pressed={pinned}
          aria-label={pinLabel}
          title={pinLabel}
          onClick={(e) => {
            e.stopPropagation();
            onPin(tile.key);
          }}
        >
          <PinIcon size={18} />
        </button>
        {onModerate && !tile.self && tile.kind === 'camera' && <ModerateMenu memberId={tile.memberId} name={tile.name} onModerate={onModerate} />}
      </div>
      <div className="tile-bottom">
        {!isScreen && !tile.media.audio && (
          <span className="badge mic-off" title={t('muted')} aria-label={t('muted')} data-testid="muted">
            <MicOffIcon size={16} />
          </span>
        )}
        <span className="tile-name">{label}</span>
      </div>
    </div>
  );
});
