// Every UI string, in English and Korean. `ko` is typed by the keys of `en`, so a missing
// (or misspelled) Korean string is a compile error. `{name}` placeholders are filled by `t`.
import { createContext, useContext } from 'react';

const en = {
  appName: 'Parley',
  tagline: 'Video meetings on your own server. No accounts, no installs.',
  yourName: 'Your name',
  namePlaceholder: 'How others will see you',
  newMeeting: 'New meeting',
  newMeetingHint: 'Start a room and share its link',
  or: 'or',
  joinKeyPlaceholder: 'Enter a room code or link',
  joinAction: 'Join',
  invalidRoom: 'A room code is 1–64 letters, digits, “-” or “_”.',
  language: 'Language',
  landingFootnote: 'Anyone with the link can join. Rooms disappear when everyone leaves.',

  readyToJoin: 'Ready to join?',
  roomLabel: 'Room {room}',
  copyLink: 'Copy link',
  linkCopied: 'Link copied',
  camera: 'Camera',
  microphone: 'Microphone',
  speaker: 'Speaker',
  systemDefault: 'System default',
  noDevices: 'No device found',
  joinNow: 'Join now',
  joining: 'Joining…',
  backHome: 'Back to home',
  micOn: 'Microphone on',
  micOff: 'Microphone off',
  cameraOn: 'Camera on',
  cameraOff: 'Camera off',
  startingCamera: 'Starting camera…',
  micLevel: 'Microphone level',
  joinWithMicOff: 'Join with microphone off',
  joinWithCameraOff: 'Join with camera off',
  nameRequired: 'Enter your name to join.',

  deniedTitle: 'Camera and microphone are blocked',
  deniedBody:
    'Parley needs permission to use your camera and microphone. Click the camera or lock icon in the address bar, allow Camera and Microphone for this site, then try again.',
  notFoundTitle: 'No camera or microphone found',
  notFoundBody:
    'Connect a camera or headset and try again, or join without them — you can still see, hear and chat with others.',
  inUseTitle: 'Your camera or microphone is busy',
  inUseBody:
    'Another app (or another browser tab) is using it. Close that app and try again, or join without it.',
  mediaErrorTitle: 'Could not start your camera or microphone',
  mediaErrorBody: 'The browser reported: {message}. Try again, or join without them.',
  noCameraNotice: 'No camera available — you will join with audio only.',
  noMicNotice: 'No microphone available — others will not hear you.',
  tryAgain: 'Try again',
  joinWithoutDevices: 'Join without camera and microphone',
  joinAudioOnly: 'Join with audio only',

  roomFullTitle: 'This meeting is full',
  roomFullBody:
    'The room has reached its limit of participants. Try again when someone leaves, or start a new meeting.',
  identityTakenTitle: 'You are already in this meeting',
  identityTakenBody:
    'This meeting is open in another tab or window. Close it there, or join here as a separate participant.',
  joinHere: 'Join here anyway',
  protocolTitle: 'Something went wrong',
  protocolBody: 'The server refused a request: {message}',
  unreachableBanner:
    'Can’t reach the server — retrying… Check your connection and that the address is right.',
  reconnecting: 'Reconnecting…',
  connecting: 'Connecting…',
  startNewMeeting: 'Start a new meeting',
  rejoin: 'Rejoin',

  unsupportedTitle: 'This browser can’t join video meetings',
  unsupportedBody:
    'Parley needs WebRTC, camera access and WebSockets. Please open this page in a current version of Chrome, Edge, Firefox or Safari.',
  insecureTitle: 'This page needs a secure connection',
  insecureBody:
    'Browsers only allow camera and microphone on https:// pages or on localhost. Ask the server’s administrator for the https address, or open it as http://localhost on the server itself.',
  missingFeatures: 'Missing: {features}',

  leftTitle: 'You left the meeting',
  leftBody: 'Thanks for joining.',

  authRequiredTitle: 'This room needs an invitation link',
  authRequiredBody: 'Ask the meeting’s organiser for an invitation link to room {room}, then open it in this browser.',
  tokenExpiredTitle: 'Your invitation has expired',
  tokenExpiredBody: 'Invitation links work for a limited time. Ask the organiser for a new link to room {room}.',
  tokenInvalidTitle: 'Your invitation link is not valid',
  tokenInvalidBody: 'The link to room {room} may be cut short or changed. Open the whole link again, or ask the organiser for a new one.',
  tokenWrongRoomTitle: 'Your invitation is for another room',
  tokenWrongRoomBody: 'This invitation does not let you into room {room}. Check that you opened the right link.',
  passwordTitle: 'This meeting has a password',
  passwordBody: 'Enter the password of room {room} to join.',
  password: 'Password',
  wrongPassword: 'Wrong password',
  removedTitle: 'You were removed by a moderator',
  removedBody: 'Your camera and microphone are off. If you think this was a mistake, contact the meeting’s organiser.',

  you: 'You',
  yourScreen: 'Your screen',
  screenOf: '{name}’s screen',
  presenting: 'You are presenting to everyone',
  stopPresenting: 'Stop presenting',
  aloneTitle: 'You’re the only one here',
  aloneBody: 'Share this link with others you want in the meeting.',
  pin: 'Pin {name}',
  unpin: 'Unpin {name}',
  muted: 'Muted',
  qualityGood: 'Connection: good',
  qualityFair: 'Connection: fair',
  qualityPoor: 'Connection: poor',
  qualityUnknown: 'Connection: measuring…',
  connectingPeer: 'Connecting…',
  participants: '{count} in the meeting',

  muteMic: 'Turn off microphone (M)',
  unmuteMic: 'Turn on microphone (M)',
  stopCamera: 'Turn off camera (V)',
  startCamera: 'Turn on camera (V)',
  shareScreen: 'Present your screen (S)',
  stopShare: 'Stop presenting (S)',
  openChat: 'Chat with everyone',
  closeChat: 'Close chat',
  settings: 'Settings',
  leaveCall: 'Leave call',
  screenShareFailed: 'Screen sharing didn’t start.',
  deviceSwitchFailed: 'Could not switch to that device.',
  memberRemoved: '{name} was removed',
  micMutedByModerator: 'A moderator muted your microphone',
  cameraOffByModerator: 'A moderator turned off your camera',
  moderate: 'Moderate {name}',
  moderateMuteMic: 'Mute microphone',
  moderateStopCamera: 'Turn off camera',
  moderateRemove: 'Remove from room',
  confirmRemove: 'Remove {name} from the meeting?',
  remove: 'Remove',
  cancel: 'Cancel',
  close: 'Close',
  shortcuts: 'Shortcuts: M microphone · V camera · S present',

  chat: 'In-call messages',
  chatEmpty: 'Messages are visible to everyone in the meeting and disappear after it ends.',
  chatPlaceholder: 'Send a message to everyone',
  send: 'Send message',
  unread: '{count} unread messages',
} as const satisfies Record<string, string>;

export type MessageKey = keyof typeof en;
type Catalog = { readonly [K in MessageKey]: string };

const ko: Catalog = {
  appName: 'Parley',
  tagline: '직접 운영하는 서버에서 화상 회의를. 계정도 설치도 필요 없습니다.',
  yourName: '이름',
  namePlaceholder: '다른 참가자에게 보일 이름',
  newMeeting: '새 회의',
  newMeetingHint: '회의실을 만들고 링크를 공유하세요',
  or: '또는',
  joinKeyPlaceholder: '회의 코드 또는 링크 입력',
  joinAction: '참여',
  invalidRoom: '회의 코드는 영문자, 숫자, “-”, “_”로 된 1–64자입니다.',
  language: '언어',
  landingFootnote: '링크가 있는 사람은 누구나 참여할 수 있습니다. 모두 나가면 회의실은 사라집니다.',

  readyToJoin: '참여할 준비가 되셨나요?',
  roomLabel: '회의실 {room}',
  copyLink: '링크 복사',
  linkCopied: '링크를 복사했습니다',
  camera: '카메라',
  microphone: '마이크',
  speaker: '스피커',
  systemDefault: '시스템 기본값',
  noDevices: '장치를 찾을 수 없음',
  joinNow: '지금 참여',
  joining: '참여하는 중…',
  backHome: '처음으로',
  micOn: '마이크 켜짐',
  micOff: '마이크 꺼짐',
  cameraOn: '카메라 켜짐',
  cameraOff: '카메라 꺼짐',
  startingCamera: '카메라를 켜는 중…',
  micLevel: '마이크 입력 크기',
  joinWithMicOff: '마이크를 끄고 참여',
  joinWithCameraOff: '카메라를 끄고 참여',
  nameRequired: '참여하려면 이름을 입력하세요.',

  deniedTitle: '카메라와 마이크가 차단되어 있습니다',
  deniedBody:
    'Parley가 카메라와 마이크를 사용하려면 권한이 필요합니다. 주소 표시줄의 카메라 또는 자물쇠 아이콘을 눌러 이 사이트의 카메라와 마이크를 허용한 다음 다시 시도하세요.',
  notFoundTitle: '카메라나 마이크를 찾을 수 없습니다',
  notFoundBody:
    '카메라나 헤드셋을 연결한 뒤 다시 시도하거나, 장치 없이 참여하세요. 다른 참가자를 보고 듣고 채팅할 수 있습니다.',
  inUseTitle: '카메라나 마이크를 다른 곳에서 사용 중입니다',
  inUseBody: '다른 앱이나 브라우저 탭이 사용하고 있습니다. 그 앱을 닫고 다시 시도하거나, 장치 없이 참여하세요.',
  mediaErrorTitle: '카메라나 마이크를 시작할 수 없습니다',
  mediaErrorBody: '브라우저 메시지: {message}. 다시 시도하거나 장치 없이 참여하세요.',
  noCameraNotice: '카메라가 없어 음성으로만 참여합니다.',
  noMicNotice: '마이크가 없어 다른 참가자가 내 목소리를 들을 수 없습니다.',
  tryAgain: '다시 시도',
  joinWithoutDevices: '카메라와 마이크 없이 참여',
  joinAudioOnly: '음성으로만 참여',

  roomFullTitle: '회의 인원이 가득 찼습니다',
  roomFullBody: '이 회의실의 최대 인원에 도달했습니다. 누군가 나간 뒤 다시 시도하거나 새 회의를 시작하세요.',
  identityTakenTitle: '이미 이 회의에 참여 중입니다',
  identityTakenBody: '다른 탭이나 창에서 이 회의가 열려 있습니다. 그곳을 닫거나, 여기서 별도의 참가자로 참여하세요.',
  joinHere: '여기서 참여',
  protocolTitle: '문제가 발생했습니다',
  protocolBody: '서버가 요청을 거부했습니다: {message}',
  unreachableBanner: '서버에 연결할 수 없습니다 — 다시 시도하는 중… 네트워크 연결과 주소를 확인하세요.',
  reconnecting: '다시 연결하는 중…',
  connecting: '연결하는 중…',
  startNewMeeting: '새 회의 시작',
  rejoin: '다시 참여',

  unsupportedTitle: '이 브라우저로는 화상 회의에 참여할 수 없습니다',
  unsupportedBody:
    'Parley에는 WebRTC, 카메라 접근, WebSocket이 필요합니다. 최신 버전의 Chrome, Edge, Firefox, Safari에서 이 페이지를 여세요.',
  insecureTitle: '보안 연결이 필요합니다',
  insecureBody:
    '브라우저는 https:// 페이지나 localhost에서만 카메라와 마이크를 허용합니다. 서버 관리자에게 https 주소를 문의하거나, 서버 컴퓨터에서 http://localhost로 여세요.',
  missingFeatures: '지원되지 않는 기능: {features}',

  leftTitle: '회의에서 나왔습니다',
  leftBody: '참여해 주셔서 감사합니다.',

  authRequiredTitle: '이 회의실은 초대 링크가 있어야 참여할 수 있습니다',
  authRequiredBody: '회의 주최자에게 {room} 회의실의 초대 링크를 받아 이 브라우저에서 여세요.',
  tokenExpiredTitle: '초대가 만료되었습니다',
  tokenExpiredBody: '초대 링크는 정해진 시간 동안만 쓸 수 있습니다. 주최자에게 {room} 회의실의 새 링크를 요청하세요.',
  tokenInvalidTitle: '초대 링크가 올바르지 않습니다',
  tokenInvalidBody: '{room} 회의실 링크가 잘렸거나 바뀌었을 수 있습니다. 링크 전체를 다시 열거나 주최자에게 새 링크를 요청하세요.',
  tokenWrongRoomTitle: '다른 회의실의 초대입니다',
  tokenWrongRoomBody: '이 초대로는 {room} 회의실에 참여할 수 없습니다. 올바른 링크를 열었는지 확인하세요.',
  passwordTitle: '비밀번호가 설정된 회의입니다',
  passwordBody: '참여하려면 {room} 회의실의 비밀번호를 입력하세요.',
  password: '비밀번호',
  wrongPassword: '비밀번호가 틀렸습니다',
  removedTitle: '진행자가 회의에서 내보냈습니다',
  removedBody: '카메라와 마이크가 꺼졌습니다. 잘못된 일이라고 생각되면 회의 주최자에게 문의하세요.',

  you: '나',
  yourScreen: '내 화면',
  screenOf: '{name}님의 화면',
  presenting: '모든 참가자에게 화면을 공유하고 있습니다',
  stopPresenting: '공유 중지',
  aloneTitle: '아직 혼자 있습니다',
  aloneBody: '함께할 사람에게 이 링크를 보내세요.',
  pin: '{name} 고정',
  unpin: '{name} 고정 해제',
  muted: '음소거됨',
  qualityGood: '연결 상태: 좋음',
  qualityFair: '연결 상태: 보통',
  qualityPoor: '연결 상태: 나쁨',
  qualityUnknown: '연결 상태: 측정 중…',
  connectingPeer: '연결하는 중…',
  participants: '{count}명 참여 중',

  muteMic: '마이크 끄기 (M)',
  unmuteMic: '마이크 켜기 (M)',
  stopCamera: '카메라 끄기 (V)',
  startCamera: '카메라 켜기 (V)',
  shareScreen: '화면 공유 (S)',
  stopShare: '화면 공유 중지 (S)',
  openChat: '모두와 채팅',
  closeChat: '채팅 닫기',
  settings: '설정',
  leaveCall: '통화에서 나가기',
  screenShareFailed: '화면 공유를 시작하지 못했습니다.',
  deviceSwitchFailed: '해당 장치로 전환하지 못했습니다.',
  memberRemoved: '{name}님이 회의에서 내보내졌습니다',
  micMutedByModerator: '진행자가 내 마이크를 껐습니다',
  cameraOffByModerator: '진행자가 내 카메라를 껐습니다',
  moderate: '{name} 관리',
  moderateMuteMic: '마이크 끄기',
  moderateStopCamera: '카메라 끄기',
  moderateRemove: '회의실에서 내보내기',
  confirmRemove: '{name}님을 회의에서 내보낼까요?',
  remove: '내보내기',
  cancel: '취소',
  close: '닫기',
  shortcuts: '단축키: M 마이크 · V 카메라 · S 화면 공유',

  chat: '통화 중 메시지',
  chatEmpty: '메시지는 회의의 모든 참가자에게 보이며 회의가 끝나면 사라집니다.',
  chatPlaceholder: '모두에게 메시지 보내기',
  send: '메시지 보내기',
  unread: '읽지 않은 메시지 {count}개',
};

export const catalogs = { en, ko } as const satisfies Record<string, Catalog>;
export type Lang = keyof typeof catalogs;
export const languages: readonly { lang: Lang; label: string }[] = [
  { lang: 'en', label: 'English' },
  { lang: 'ko', label: '한국어' },
];

export function isLang(value: unknown): value is Lang {
  return value === 'en' || value === 'ko';
}

/** The stored choice, else the first browser language we speak, else English. */
export function pickLang(stored: string | null, browser: readonly string[]): Lang {
  if (isLang(stored)) return stored;
  for (const tag of browser) {
    const base = tag.toLowerCase().split('-')[0];
    if (isLang(base)) return base;
  }
  return 'en';
}

export type Params = Record<string, string | number>;

export function translate(lang: Lang, key: MessageKey, params?: Params): string {
  const text: string = catalogs[lang][key];
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

export interface I18n {
  lang: Lang;
  t: (key: MessageKey, params?: Params) => string;
  setLang: (lang: Lang) => void;
  formatTime: (at: number) => string;
}

export function makeI18n(lang: Lang, setLang: (lang: Lang) => void): I18n {
  const time = new Intl.DateTimeFormat(lang, { hour: 'numeric', minute: '2-digit' });
  return {
    lang,
    setLang,
    t: (key, params) => translate(lang, key, params),
    formatTime: (at) => time.format(at),
  };
}

export const I18nContext = createContext<I18n>(makeI18n('en', () => undefined));

export function useI18n(): I18n {
  return useContext(I18nContext);
}
