// localStorage and sessionStorage that never throw (private mode, disabled storage, node tests).

export function load(key: string): string | null {
  try {
    return globalThis.localStorage?.getItem(key) ?? null;
  } catch {
    return null;
  }
}

export function save(key: string, value: string): void {
  try {
    globalThis.localStorage?.setItem(key, value);
  } catch {
    // Remembering is a convenience; failing to is not an error worth showing.
  }
}

/** Per tab, cleared when the tab closes: room tokens and passwords (never localStorage). */
export function loadSession(key: string): string | null {
  try {
    return globalThis.sessionStorage?.getItem(key) ?? null;
  } catch {
    return null;
  }
}

export function saveSession(key: string, value: string): void {
  try {
    globalThis.sessionStorage?.setItem(key, value);
  } catch {
    // Without storage a reload asks again; nothing worse.
  }
}

export function removeSession(key: string): void {
  try {
    globalThis.sessionStorage?.removeItem(key);
  } catch {
    // As above.
  }
}

export const keys = {
  name: 'parley.name',
  lang: 'parley.lang',
  lowres: 'parley.lowres',
  relay: 'parley.relay',
  camera: 'parley.camera',
  microphone: 'parley.microphone',
  speaker: 'parley.speaker',
} as const;

export const sessionKeys = {
  token: (roomKey: string) => `parley.token.${roomKey}`,
  password: (roomKey: string) => `parley.password.${roomKey}`,
} as const;
