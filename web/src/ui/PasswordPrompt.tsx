// The room's password, asked for when the server refused our SUBSCRIBE without (or with a wrong) one.
import { useState, type FormEvent } from 'react';

import { TopBar } from './common';
import { useI18n } from './i18n';

export function PasswordPrompt({
  roomKey,
  wrong,
  onSubmit,
  onHome,
}: {
  roomKey: string;
  wrong: boolean;
  onSubmit: (password: string) => void;
  onHome: () => void;
}) {
  const { t } = useI18n();
  const [password, setPassword] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (password) onSubmit(password);
  };
  return (
    <div className="page">
      <TopBar />
      <main className="message-screen" data-testid="password-screen">
        <div className="message-card tone-info">
          <h1>{t('passwordTitle')}</h1>
          <p>{t('passwordBody', { room: roomKey })}</p>
          <form className="password-form" onSubmit={submit}>
            <label className="field">
              <span className="field-label">{t('password')}</span>
              <input
                className="input"
                type="password"
                data-testid="password-input"
                value={password}
                autoComplete="current-password"
                autoFocus
                aria-invalid={wrong}
                aria-describedby={wrong ? 'password-error' : undefined}
                onChange={(e) => setPassword(e.target.value)}
              />
            </label>
            {wrong && (
              <p className="field-error" id="password-error" role="alert" data-testid="password-error">
                {t('wrongPassword')}
              </p>
            )}
            <button type="submit" className="btn btn-primary btn-lg btn-block" data-testid="password-submit" disabled={!password}>
              {t('joinAction')}
            </button>
            <button type="button" className="btn btn-text" onClick={onHome}>
              {t('backHome')}
            </button>
          </form>
        </div>
      </main>
    </div>
  );
}
