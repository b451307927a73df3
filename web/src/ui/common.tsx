// Small pieces shared by every screen.
import { useEffect, useRef, useState, type ReactNode } from 'react';

import { languages, isLang, useI18n } from './i18n';
import { AlertIcon, CheckIcon, CopyIcon, GlobeIcon } from './icons';
import { avatarHue, initial } from './avatar';
import { roomUrl } from './roomKey';
import { navigate } from './route';

export function Brand() {
  const { t } = useI18n();
  return (
    <a
      className="brand"
      href="/"
      onClick={(e) => {
        e.preventDefault();
        navigate('/');
      }}
    >
      <img src="/favicon.svg" alt="" width={28} height={28} />
      <span>{t('appName')}</span>
    </a>
  );
}

export function LanguageSwitch() {
  const { lang, setLang, t } = useI18n();
  return (
    <label className="lang-switch" title={t('language')}>
      <GlobeIcon size={18} />
      <select
        aria-label={t('language')}
        data-testid="language"
        value={lang}
        onChange={(e) => {
          if (isLang(e.target.value)) setLang(e.target.value);
        }}
      >
        {languages.map((l) => (
          <option key={l.lang} value={l.lang}>
            {l.label}
          </option>
        ))}
      </select>
    </label>
  );
}

export function TopBar({ children }: { children?: ReactNode }) {
  return (
    <header className="topbar">
      <Brand />
      <div className="topbar-end">
        {children}
        <LanguageSwitch />
      </div>
    </header>
  );
}

async function copyText(text: string): Promise<void> {
  if (navigator.clipboard?.writeText) {
    await navigator.clipboard.writeText(text);
    return;
  }
  // Clipboard API needs a secure context; the old way works on plain http too.
  const area = document.createElement('textarea');
  area.value = text;
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.append(area);
  area.select();
  document.execCommand('copy');
  area.remove();
}

export function CopyLinkButton({ roomKey, compact = false }: { roomKey: string; compact?: boolean }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => {
    if (timer.current) clearTimeout(timer.current);
  }, []);
  const label = copied ? t('linkCopied') : t('copyLink');
  return (
    <button
      type="button"
      className={compact ? 'btn btn-ghost btn-icon' : 'btn btn-secondary'}
      data-testid="copy-link"
      aria-label={label}
      title={roomUrl(roomKey)}
      onClick={() => {
        copyText(roomUrl(roomKey)).then(
          () => {
            setCopied(true);
            if (timer.current) clearTimeout(timer.current);
            timer.current = setTimeout(() => setCopied(false), 2000);
          },
          () => undefined,
        );
      }}
    >
      {copied ? <CheckIcon size={18} /> : <CopyIcon size={18} />}
      {!compact && <span aria-live="polite">{label}</span>}
    </button>
  );
}

export interface Action {
  label: string;
  onClick: () => void;
  primary?: boolean;
  testId?: string;
}

/** A whole-screen message: what happened, what to do next. */
export function MessageScreen({
  title,
  body,
  detail,
  actions,
  testId,
  reason,
  tone = 'error',
}: {
  title: string;
  body: string;
  detail?: string;
  actions: Action[];
  testId: string;
  /** `data-reason`, when one screen (testId) stands for several causes. */
  reason?: string;
  tone?: 'error' | 'info';
}) {
  return (
    <div className="page">
      <TopBar />
      <main className="message-screen" data-testid={testId} data-reason={reason}>
        <div className={`message-card tone-${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
          {tone === 'error' && (
            <div className="message-icon">
              <AlertIcon size={28} />
            </div>
          )}
          <h1>{title}</h1>
          <p>{body}</p>
          {detail && <p className="message-detail">{detail}</p>}
          <div className="message-actions">
            {actions.map((a) => (
              <button
                key={a.label}
                type="button"
                className={a.primary ? 'btn btn-primary' : 'btn btn-secondary'}
                data-testid={a.testId}
                onClick={a.onClick}
              >
                {a.label}
              </button>
            ))}
          </div>
        </div>
      </main>
    </div>
  );
}

export function Avatar({ id, name, size }: { id: string; name: string; size: 'sm' | 'lg' }) {
  return (
    <div className={`avatar avatar-${size}`} style={{ background: `hsl(${avatarHue(id)} 45% 42%)` }} aria-hidden="true">
      {initial(name)}
    </div>
  );
}
