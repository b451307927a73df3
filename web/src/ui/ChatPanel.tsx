// In-call messages. Text only: every message is React text nodes and <a> elements built
// from linkify()'s pieces — never HTML.
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';

import type { ChatMessage } from '../signaling/types';
import { useI18n } from './i18n';
import { CloseIcon, SendIcon } from './icons';
import { shouldSendOnKey } from './ime';
import { linkify } from './linkify';

const MAX_LENGTH = 4000; // ×3 bytes of Hangul stays under the server's 16 KiB `msg` limit

export function MessageText({ text }: { text: string }) {
  return (
    <>
      {linkify(text).map((piece, i) =>
        piece.kind === 'link' ? (
          <a key={i} href={piece.href} target="_blank" rel="noopener noreferrer">
            {piece.text}
          </a>
        ) : (
          <span key={i}>{piece.text}</span>
        ),
      )}
    </>
  );
}

/** Consecutive messages from one person within two minutes share one header. */
function startsGroup(messages: ChatMessage[], i: number): boolean {
  const prev = messages[i - 1];
  const cur = messages[i];
  if (!prev || !cur) return true;
  return prev.nickname !== cur.nickname || prev.from !== cur.from || cur.at - prev.at > 120_000;
}

export function ChatPanel({
  messages,
  onSend,
  onClose,
}: {
  messages: ChatMessage[];
  onSend: (text: string) => void;
  onClose: () => void;
}) {
  const { t, formatTime } = useI18n();
  const [draft, setDraft] = useState('');
  const composing = useRef(false);
  const list = useRef<HTMLOListElement>(null);
  const input = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    input.current?.focus();
  }, []);
  useEffect(() => {
    const el = list.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [messages.length]);

  const send = () => {
    const text = draft.trim();
    if (!text) return;
    onSend(text);
    setDraft('');
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Escape') {
      onClose();
      return;
    }
    const key = { key: e.key, shiftKey: e.shiftKey, isComposing: e.nativeEvent.isComposing, keyCode: e.nativeEvent.keyCode };
    if (shouldSendOnKey(key, composing.current)) {
      e.preventDefault();
      send();
    }
  };

  return (
    <aside className="side-panel chat" aria-label={t('chat')} data-testid="chat-panel">
      <header className="side-header">
        <h2>{t('chat')}</h2>
        <button type="button" className="btn btn-ghost btn-icon" data-testid="chat-close" aria-label={t('closeChat')} title={t('closeChat')} onClick={onClose}>
          <CloseIcon size={20} />
        </button>
      </header>
      <p className="chat-note">{t('chatEmpty')}</p>
      <ol className="chat-list" ref={list} data-testid="chat-list" aria-live="polite">
        {messages.map((m, i) => (
          <li key={m.id} className={`chat-message ${m.self ? 'self' : ''}`} data-testid="chat-message">
            {startsGroup(messages, i) && (
              <div className="chat-meta">
                <span className="chat-name" data-testid="chat-name">
                  {m.self ? t('you') : m.nickname}
                </span>
                <time dateTime={new Date(m.at).toISOString()}>{formatTime(m.at)}</time>
              </div>
            )}
            <div className="chat-text" data-testid="chat-text">
              <MessageText text={m.text} />
            </div>
          </li>
        ))}
      </ol>
      <form
        className="chat-composer"
        onSubmit={(e) => {
          e.preventDefault();
          send();
        }}
      >
        <textarea
          ref={input}
          className="chat-input"
          data-testid="chat-input"
          rows={1}
          maxLength={MAX_LENGTH}
          value={draft}
          aria-label={t('chatPlaceholder')}
          placeholder={t('chatPlaceholder')}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={onKeyDown}
          onCompositionStart={() => (composing.current = true)}
          onCompositionEnd={() => (composing.current = false)}
        />
        <button type="submit" className="btn btn-ghost btn-icon send" data-testid="chat-send" disabled={!draft.trim()} aria-label={t('send')} title={t('send')}>
          <SendIcon size={20} />
        </button>
      </form>
    </aside>
  );
}
