// A <video> bound to a MediaStream (srcObject is not a React prop).
import { useEffect, useRef } from 'react';

export function VideoView({
  stream,
  version = 0,
  mirrored = false,
  muted = false,
  sinkId = null,
  fit = 'cover',
  hidden = false,
}: {
  stream: MediaStream | null;
  /** Bump when the stream's tracks were swapped, to rebind. */
  version?: number;
  mirrored?: boolean;
  muted?: boolean;
  sinkId?: string | null;
  fit?: 'cover' | 'contain';
  hidden?: boolean;
}) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const video = ref.current;
    if (!video) return;
    video.srcObject = stream;
    if (stream) void video.play().catch(() => undefined);
  }, [stream, version]);
  useEffect(() => {
    const video = ref.current;
    if (!video || muted || !sinkId || !('setSinkId' in video)) return;
    void video.setSinkId(sinkId).catch(() => undefined);
  }, [sinkId, muted]);
  const classes = ['video', `fit-${fit}`, mirrored ? 'mirrored' : '', hidden ? 'video-hidden' : '']
    .filter(Boolean)
    .join(' ');
  return <video ref={ref} className={classes} autoPlay playsInline muted={muted} />;
}
