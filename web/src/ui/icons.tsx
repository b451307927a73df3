// Line icons drawn for Parley (24×24, currentColor), so the client has no icon dependency.
import type { ReactNode } from 'react';

function Icon({ children, size = 24 }: { children: ReactNode; size?: number }) {
  return (
    <svg
      className="icon"
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={2}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      {children}
    </svg>
  );
}

type P = { size?: number };

export const MicIcon = ({ size }: P) => (
  <Icon size={size}>
    <rect x="9" y="2.5" width="6" height="12" rx="3" />
    <path d="M5 11a7 7 0 0 0 14 0M12 18v3.5M8.5 21.5h7" />
  </Icon>
);

export const MicOffIcon = ({ size }: P) => (
  <Icon size={size}>
    <path d="M15 10V5.5a3 3 0 0 0-5.6-1.5M9 9v2.5a3 3 0 0 0 4.9 2.3" />
    <path d="M19 11a7 7 0 0 1-1.2 3.9M5 11a7 7 0 0 0 11.3 5.5M12 18v3.5M8.5 21.5h7M3 3l18 18" />
  </Icon>
);

export const CamIcon = ({ size }: P) => (
  <Icon size={size}>
    <rect x="2.5" y="6" width="13" height="12" rx="2.5" />
    <path d="M15.5 10.5 21.5 7v10l-6-3.5" />
  </Icon>
);

export const CamOffIcon = ({ size }: P) => (
  <Icon size={size}>
    <path d="M9 6h4a2.5 2.5 0 0 1 2.5 2.5v2l6-3.5v10l-3-1.7M15.5 15.5V15.5A2.5 2.5 0 0 1 13 18H5a2.5 2.5 0 0 1-2.5-2.5v-7A2.5 2.5 0 0 1 5 6" />
    <path d="M3 3l18 18" />
  </Icon>
);

export const ScreenIcon = ({ size }: P) => (
  <Icon size={size}>
    <rect x="2.5" y="4" width="19" height="13" rx="2" />
    <path d="M8 21h8M12 17v4M12 13.5V7.5M9.5 10 12 7.5l2.5 2.5" />
  </Icon>
);

export const ScreenOffIcon = ({ size }: P) => (
  <Icon size={size}>
    <rect x="2.5" y="4" width="19" height="13" rx="2" />
    <path d="M8 21h8M12 17v4M9.5 8l5 5M14.5 8l-5 5" />
  </Icon>
);

export const LeaveIcon = ({ size }: P) => (
  <Icon size={size}>
    <path d="M3.2 13.6c4.9-4.1 12.7-4.1 17.6 0l-1.6 3-3.6-1.1-.4-2.6a11 11 0 0 0-6.4 0l-.4 2.6-3.6 1.1z" fill="currentColor" />
  </Icon>
);

export const ChatIcon = ({ size }: P) => (
  <Icon size={size}>
    <path d="M20.5 12a8.5 8.5 0 0 1-12.4 7.5L3.5 20.5l1-4.3A8.5 8.5 0 1 1 20.5 12z" />
  </Icon>
);

export const SettingsIcon = ({ size }: P) => (
  <Icon size={size}>
    <path d="M4 6h9M17 6h3M4 12h3M11 12h9M4 18h11M19 18h1" />
    <circle cx="15" cy="6" r="2" />
    <circle cx="9" cy="12" r="2" />
    <circle cx="17" cy="18" r="2" />
  </Icon>
);

export const PinIcon = ({ size }: P) => (
  <Icon size={size}>
    <path d="M9 3.5h6M10 3.5v6L6.5 14h11L14 9.5v-6M12 14v6.5" />
  </Icon>
);

export const CopyIcon = ({ size }: P) => (
  <Icon size={size}>
    <rect x="8.5" y="8.5" width="12" height="12" rx="2" />
    <path d="M15.5 8.5V5.5a2 2 0 0 0-2-2h-8a2 2 0 0 0-2 2v8a2 2 0 0 0 2 2h3" />
  </Icon>
);

export const MoreIcon = ({ size }: P) => (
  <Icon size={size}>
    <path d="M12 5.5v.01M12 12v.01M12 18.5v.01" strokeWidth={3} />
  </Icon>
);

export const CheckIcon = ({ size }: P) => (
  <Icon size={size}>
    <path d="M4.5 12.5l5 5 10-11" />
  </Icon>
);

export const CloseIcon = ({ size }: P) => (
  <Icon size={size}>
    <path d="M6 6l12 12M18 6 6 18" />
  </Icon>
);

export const SendIcon = ({ size }: P) => (
  <Icon size={size}>
    <path d="M21 3 10 14M21 3l-6.5 18-4.5-7-7-4.5z" />
  </Icon>
);

export const PlusIcon = ({ size }: P) => (
  <Icon size={size}>
    <rect x="2.5" y="6" width="13" height="12" rx="2.5" />
    <path d="M15.5 10.5 21.5 7v10l-6-3.5M9 9.5v5M6.5 12h5" />
  </Icon>
);

export const GlobeIcon = ({ size }: P) => (
  <Icon size={size}>
    <circle cx="12" cy="12" r="9" />
    <path d="M3 12h18M12 3c2.5 2.6 3.8 5.6 3.8 9s-1.3 6.4-3.8 9c-2.5-2.6-3.8-5.6-3.8-9S9.5 5.6 12 3z" />
  </Icon>
);

export const AlertIcon = ({ size }: P) => (
  <Icon size={size}>
    <path d="M12 3.5 22 20.5H2z" />
    <path d="M12 10v4.5M12 17.5v.01" />
  </Icon>
);

export const KeyboardIcon = ({ size }: P) => (
  <Icon size={size}>
    <rect x="2.5" y="6" width="19" height="12" rx="2" />
    <path d="M6.5 10h.01M10 10h.01M14 10h.01M17.5 10h.01M7.5 14h9" />
  </Icon>
);

export function QualityBars({ level }: { level: 0 | 1 | 2 | 3 }) {
  return (
    <svg className="icon" width={16} height={16} viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      {[0, 1, 2].map((i) => (
        <rect
          key={i}
          x={2 + i * 5}
          y={10 - i * 4}
          width={3}
          height={4 + i * 4}
          rx={1}
          fill="currentColor"
          opacity={i < level ? 1 : 0.3}
        />
      ))}
    </svg>
  );
}
