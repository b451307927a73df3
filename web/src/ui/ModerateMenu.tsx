// A moderator's menu on a remote member's tile: mute their microphone, turn off their camera,
// or remove them (after a confirmation). Only moderators get one; the server enforces it too.
import { useEffect, useRef, useState, type CSSProperties } from 'react';
import { createPortal } from 'react-dom';

import { useI18n } from './i18n';
import { MoreIcon } from './icons';
import type { ModerateAction } from './moderation';

const MENU_GAP = 6;

/** Fixed, beside the button: a tile clips its overflow, and a strip tile is too small to hold it. */
function placeMenu(button: HTMLElement): CSSProperties {
  const r = button.getBoundingClientRect();
  const right = Math.max(8, window.innerWidth - r.right);
  return r.top > window.innerHeight / 2
    ? { position: 'fixed', right, bottom: window.innerHeight - r.top + MENU_GAP }
    : { position: 'fixed', right, top: r.bottom + MENU_GAP };
}

export function ModerateMenu({
  memberId,
  name,
  onModerate,
}: {
  memberId: string;
  name: string;
  onModerate: (action: ModerateAction, memberId: string) => void;
}) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [style, setStyle] = useState<CSSProperties>({});
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);

  const close = () => {
    setOpen(false);
    setConfirming(false);
  };
  const act = (action: ModerateAction) => {
    onModerate(action, memberId);
    close();
  };

  const toggle = () => {
    if (open) return close();
    if (button.current) setStyle(placeMenu(button.current));
    setOpen(true);
  };
  useEffect(() => {
    if (!open) return;
    menu.current?.querySelector<HTMLButtonElement>('button')?.focus();
  }, [open, confirming]);
  useEffect(() => {
    if (!open) return;
    const close = () => {
      setOpen(false);
      setConfirming(false);
    };
    const onDown = (e: PointerEvent) => {
      const target = e.target as Node;
      if (!button.current?.contains(target) && !menu.current?.contains(target)) close();
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      close();
      button.current?.focus();
    };
    document.addEventListener('pointerdown', onDown);
    document.addEventListener('keydown', onKey);
    window.addEventListener('resize', close);
    return () => {
      document.removeEventListener('pointerdown', onDown);
      document.removeEventListener('keydown', onKey);
      window.removeEventListener('resize', close);
    };
  }, [open]);

  const label = t('moderate', { name });
  return (
    // The tile pins on click and double-click; nothing in here should.
    <div className="moderate" onClick={(e) => e.stopPropagation()} onDoubleClick={(e) => e.stopPropagation()}>
      <button
        ref={button}
        type="button"
        className={`tile-pin tile-moderate ${open ? 'active' : ''}`}
        data-testid={`moderate-menu-${memberId}`}
        aria-label={label}
        title={label}
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={toggle}
      >
        <MoreIcon size={18} />
      </button>
      {open &&
        createPortal(
          <div
            ref={menu}
            className="moderate-menu"
            style={style}
            role={confirming ? 'alertdialog' : 'menu'}
            aria-label={label}
            data-testid="moderate-popup"
            data-member-id={memberId}
            onClick={(e) => e.stopPropagation()}
            onDoubleClick={(e) => e.stopPropagation()}
          >
            {confirming ? (
              <>
                <p className="moderate-question">{t('confirmRemove', { name })}</p>
                <div className="moderate-answers">
                  <button type="button" className="btn btn-secondary btn-sm" data-testid="moderate-kick-cancel" onClick={close}>
                    {t('cancel')}
                  </button>
                  <button type="button" className="btn btn-danger btn-sm" data-testid="moderate-kick-confirm" onClick={() => act('kick')}>
                    {t('remove')}
                  </button>
                </div>
              </>
            ) : (
              <>
                <button type="button" role="menuitem" className="moderate-item" data-testid="moderate-mute-audio" onClick={() => act('mute-audio')}>
                  {t('moderateMuteMic')}
                </button>
                <button type="button" role="menuitem" className="moderate-item" data-testid="moderate-mute-video" onClick={() => act('mute-video')}>
                  {t('moderateStopCamera')}
                </button>
                <button type="button" role="menuitem" className="moderate-item danger" data-testid="moderate-kick" onClick={() => setConfirming(true)}>
                  {t('moderateRemove')}
                </button>
              </>
            )}
          </div>,
          document.body,
        )}
    </div>
  );
}
