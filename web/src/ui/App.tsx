// The page: language, route, and whether this browser can take part at all.
import { useCallback, useEffect, useMemo, useState } from 'react';

import { MessageScreen } from './common';
import { checkSupport } from './env';
import { I18nContext, makeI18n, pickLang, type Lang } from './i18n';
import { Landing } from './Landing';
import { Room } from './Room';
import { navigate, parseRoute, usePathname } from './route';
import { keys, load, save } from './storage';

function browserLanguages(): readonly string[] {
  return navigator.languages?.length ? navigator.languages : [navigator.language];
}

export function App() {
  const [lang, setLangState] = useState<Lang>(() => pickLang(load(keys.lang), browserLanguages()));
  const setLang = useCallback((next: Lang) => {
    save(keys.lang, next);
    setLangState(next);
  }, []);
  const i18n = useMemo(() => makeI18n(lang, setLang), [lang, setLang]);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);

  const route = parseRoute(usePathname());
  const unsupported = useMemo(() => checkSupport(), []);

  let screen;
  if (unsupported && route.name === 'room') {
    screen = (
      <MessageScreen
        testId={`unsupported-${unsupported.reason}`}
        title={i18n.t(unsupported.reason === 'insecure' ? 'insecureTitle' : 'unsupportedTitle')}
        body={i18n.t(unsupported.reason === 'insecure' ? 'insecureBody' : 'unsupportedBody')}
        detail={unsupported.reason === 'missing' ? i18n.t('missingFeatures', { features: unsupported.features.join(', ') }) : undefined}
        actions={[{ label: i18n.t('tryAgain'), onClick: () => location.reload(), primary: true }, { label: i18n.t('backHome'), onClick: () => navigate('/') }]}
      />
    );
  } else if (route.name === 'room') {
    screen = <Room key={route.key} roomKey={route.key} />;
  } else {
    screen = <Landing key={route.name} invalidRoom={route.name === 'bad-room'} />;
  }
  return <I18nContext.Provider value={i18n}>{screen}</I18nContext.Provider>;
}
