// localStorage that never throws (private mode, disabled storage, node tests).

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

export const keys = {
  name: 'parley.name',
  lang: 'parley.lang',
  lowres: 'parley.lowres',
  relay: 'parley.relay',
  camera: 'parley.camera',
  microphone: 'parley.microphone',
  speaker: 'parley.speaker',
} as const;
