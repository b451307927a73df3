// "/": start a meeting or join one, and say who you are.
import { useState, type FormEvent } from 'react';

import { TopBar } from './common';
import { useI18n } from './i18n';
import { PlusIcon, KeyboardIcon } from './icons';
import { captureTokenFromLink } from './roomAccess';
import { generateRoomKey, parseRoomInput, roomPath } from './roomKey';
import { navigate } from './route';
import { keys, load, save } from './storage';

export function Landing({ invalidRoom = false }: { invalidRoom?: boolean }) {
  const { t } = useI18n();
  const [name, setName] = useState(() => load(keys.name) ?? '');
  const [code, setCode] = useState('');
  const [codeError, setCodeError] = useState(invalidRoom);

  const remember = () => {
    if (name.trim()) save(keys.name, name.trim());
  };
  const create = () => {
    remember();
    navigate(roomPath(generateRoomKey()));
  };
  const join = (e: FormEvent) => {
    e.preventDefault();
    const key = parseRoomInput(code);
    if (!key) {
      setCodeError(true);
      return;
    }
    remember();
    captureTokenFromLink(code, key);
    navigate(roomPath(key));
  };

  return (
    <div className="page">
      <TopBar />
      <main className="landing">
        <section className="landing-copy">
          <h1>{t('tagline')}</h1>
          <label className="field">
            <span className="field-label">{t('yourName')}</span>
            <input
              className="input"
              data-testid="name-input"
              value={name}
              maxLength={40}
              autoComplete="nickname"
              placeholder={t('namePlaceholder')}
              onChange={(e) => setName(e.target.value)}
            />
          </label>
          <div className="landing-actions">
            <button
              type="button"
              className="btn btn-primary btn-lg"
              data-testid="create-room"
              aria-label={t('newMeetingHint')}
              title={t('newMeetingHint')}
              onClick={create}
            >
              <PlusIcon size={20} />
              <span>{t('newMeeting')}</span>
            </button>
            <span className="or">{t('or')}</span>
            <form className="join-form" onSubmit={join}>
              <div className="input-with-icon">
                <KeyboardIcon size={20} />
                <input
                  className="input"
                  data-testid="join-key-input"
                  aria-label={t('joinKeyPlaceholder')}
                  aria-invalid={codeError}
                  placeholder={t('joinKeyPlaceholder')}
                  value={code}
                  onChange={(e) => {
                    setCode(e.target.value);
                    setCodeError(false);
                  }}
                />
              </div>
              <button
                type="submit"
                className="btn btn-text"
                data-testid="join-room"
                disabled={!code.trim()}
                aria-label={t('joinAction')}
                title={t('joinAction')}
              >
                {t('joinAction')}
              </button>
            </form>
          </div>
          {codeError && (
            <p className="field-error" role="alert">
              {t('invalidRoom')}
            </p>
          )}
          <hr className="divider" />
          <p className="footnote">{t('landingFootnote')}</p>
        </section>
        <section className="landing-art" aria-hidden="true">
          <div className="art-grid">
            {[210, 150, 20, 280].map((hue, i) => (
              <div key={hue} className="art-tile" style={{ ['--hue' as string]: hue }}>
                <div className="art-avatar">{['S', 'J', 'M', 'H'][i]}</div>
                <div className="art-name" />
              </div>
            ))}
          </div>
        </section>
      </main>
    </div>
  );
}
