// Camera and microphone: constraints, acquiring with fallbacks, and errors a person reads.
import { keys, load } from './storage';

export type MediaProblem = 'denied' | 'not-found' | 'in-use' | 'other';
export type MediaNotice = 'no-camera' | 'no-mic' | null;

export interface CaptureSize {
  width: number;
  height: number;
  frameRate: number;
}

/** 640×360@24 by default; `?lowres=1` or localStorage parley.lowres=1 for tests. */
export function captureSize(search: string = location.search): CaptureSize {
  const lowres = new URLSearchParams(search).get('lowres') === '1' || load(keys.lowres) === '1';
  return lowres ? { width: 320, height: 240, frameRate: 15 } : { width: 640, height: 360, frameRate: 24 };
}

export function videoConstraints(deviceId: string | null, size: CaptureSize = captureSize()): MediaTrackConstraints {
  return {
    ...(deviceId ? { deviceId: { exact: deviceId } } : {}),
    width: { ideal: size.width },
    height: { ideal: size.height },
    frameRate: { ideal: size.frameRate },
  };
}

export function audioConstraints(deviceId: string | null): MediaTrackConstraints | boolean {
  const base = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };
  return deviceId ? { ...base, deviceId: { exact: deviceId } } : base;
}

export function classifyMediaError(error: unknown): MediaProblem {
  const name = error instanceof Error || error instanceof DOMException ? error.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError' || name === 'PermissionDeniedError') return 'denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'DevicesNotFoundError') return 'not-found';
  if (name === 'NotReadableError' || name === 'TrackStartError' || name === 'AbortError') return 'in-use';
  return 'other';
}

export interface Acquired {
  stream: MediaStream;
  notice: MediaNotice;
}

export interface AcquireFailure {
  problem: MediaProblem;
  message: string;
}

/**
 * Camera + microphone; if one of them is missing, whichever exists (with a notice).
 * Throws an AcquireFailure when nothing could be opened.
 */
export async function acquireMedia(cameraId: string | null, micId: string | null): Promise<Acquired> {
  const gum = (c: MediaStreamConstraints) => navigator.mediaDevices.getUserMedia(c);
  const video = videoConstraints(cameraId);
  const audio = audioConstraints(micId);
  try {
    return { stream: await gum({ audio, video }), notice: null };
  } catch (error) {
    const problem = classifyMediaError(error);
    if (problem !== 'not-found') throw failure(error, problem);
    // A remembered device may have been unplugged: retry with defaults before giving up.
    if (cameraId || micId) return acquireMedia(null, null);
  }
  try {
    return { stream: await gum({ audio }), notice: 'no-camera' };
  } catch {
    // fall through: maybe a camera without a microphone
  }
  try {
    return { stream: await gum({ video }), notice: 'no-mic' };
  } catch (error) {
    throw failure(error, classifyMediaError(error));
  }
}

function failure(error: unknown, problem: MediaProblem): AcquireFailure {
  const message = error instanceof Error || error instanceof DOMException ? error.message || error.name : String(error);
  return { problem, message };
}

export function isAcquireFailure(value: unknown): value is AcquireFailure {
  return typeof value === 'object' && value !== null && 'problem' in value;
}

export interface DeviceLists {
  cameras: MediaDeviceInfo[];
  microphones: MediaDeviceInfo[];
  speakers: MediaDeviceInfo[];
}

export async function listDevices(): Promise<DeviceLists> {
  const all = await navigator.mediaDevices.enumerateDevices();
  // Without permission the browser lists devices with empty ids: useless for choosing.
  const usable = all.filter((d) => d.deviceId !== '');
  return {
    cameras: usable.filter((d) => d.kind === 'videoinput'),
    microphones: usable.filter((d) => d.kind === 'audioinput'),
    speakers: usable.filter((d) => d.kind === 'audiooutput'),
  };
}

export function supportsSpeakerSelection(): boolean {
  return typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;
}

export function stopStream(stream: MediaStream | null): void {
  stream?.getTracks().forEach((track) => track.stop());
}

/** Open one new track from a chosen device. */
export async function openTrack(kind: 'audio' | 'video', deviceId: string | null): Promise<MediaStreamTrack> {
  const constraints = kind === 'video' ? { video: videoConstraints(deviceId) } : { audio: audioConstraints(deviceId) };
  const stream = await navigator.mediaDevices.getUserMedia(constraints);
  const track = stream.getTracks()[0];
  if (!track) throw new Error(`no ${kind} track`);
  return track;
}

/**
 * Put `track` in `stream` in place of the old one of its kind (keeping mute state), and stop
 * the old one. The stream object stays the same: the meeting holds it for peers made later.
 */
export function swapTrack(stream: MediaStream, track: MediaStreamTrack): void {
  const old = track.kind === 'video' ? stream.getVideoTracks() : stream.getAudioTracks();
  track.enabled = old[0]?.enabled ?? true;
  for (const t of old) {
    stream.removeTrack(t);
    t.stop();
  }
  stream.addTrack(track);
}
