import { useEffect, useEffectEvent, useRef, useState } from 'react';
import type { RemoteTrack } from 'livekit-client';
import { listenToken } from '../lib/supervision-api.js';

/**
 * Listening to a show's room: a hidden, subscribe-only LiveKit token from the hub; the room's
 * audio plays here and a meter shows its level (WebAudio analyser over every audio track).
 * Hosts and viewers never see the listener. Stopping leaves the room. livekit-client (a third of
 * the dashboard's code) is fetched on the first start, not with the page.
 */
export function ListenIn({ show, token, autoStart = false, blocked }: { show: string; token: string | null; autoStart?: boolean; blocked?: string | undefined }) {
  // Auto-started, it is joining from the first paint (never a flash of "Listen in").
  const [state, setState] = useState<'idle' | 'joining' | 'listening' | 'error'>(() => (autoStart && !blocked ? 'joining' : 'idle'));
  const [error, setError] = useState<string>();
  const [level, setLevel] = useState(0);
  const session = useRef<{ stop: () => void }>(undefined);

  const stop = () => {
    session.current?.stop();
    session.current = undefined;
    setState('idle');
    setLevel(0);
  };

  const start = () => {
    setState('joining');
    setError(undefined);
    void join();
  };

  /** Joins the room and plays it; every state it sets comes after an await. */
  const join = async () => {
    // Made in the click: browsers let audio start only from a user gesture.
    const audio = new AudioContext();
    const analyser = audio.createAnalyser();
    analyser.fftSize = 1024;
    let room: import('livekit-client').Room | undefined;
    const elements: HTMLMediaElement[] = [];
    let frame = 0;
    let stopped = false;
    session.current = {
      stop: () => {
        stopped = true;
        cancelAnimationFrame(frame);
        for (const el of elements) el.remove();
        void room?.disconnect();
        void audio.close();
      },
    };
    const attached = new Set<string>();
    const attach = (track: RemoteTrack) => {
      // Subscribed before connect() returned, or after: the same track may be offered twice.
      if (track.mediaStreamTrack.kind !== 'audio' || attached.has(track.sid ?? '')) return;
      attached.add(track.sid ?? '');
      const el = track.attach();
      el.setAttribute('data-listen-audio', '');
      document.body.appendChild(el);
      elements.push(el);
      audio.createMediaStreamSource(new MediaStream([track.mediaStreamTrack])).connect(analyser);
    };
    const samples = new Float32Array(analyser.fftSize);
    const meter = () => {
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const v of samples) sum += v * v;
      setLevel(Math.sqrt(sum / samples.length));
      frame = requestAnimationFrame(meter);
    };
    try {
      const [{ Room, RoomEvent }, t] = await Promise.all([import('livekit-client'), listenToken(token, show)]);
      if (stopped) return;
      room = new Room({ adaptiveStream: false, dynacast: false });
      room.on(RoomEvent.TrackSubscribed, (track) => attach(track));
      await room.connect(t.url, t.token, { autoSubscribe: true });
      if (stopped) return;
      await audio.resume();
      for (const p of room.remoteParticipants.values()) for (const pub of p.audioTrackPublications.values()) if (pub.track) attach(pub.track);
      setState('listening');
      meter();
    } catch (e) {
      session.current?.stop();
      session.current = undefined;
      setState('error');
      setError((e as Error).message);
    }
  };

  // Started once, on mount, with the props as they are then; the session is left on unmount.
  const joinOnMount = useEffectEvent(() => {
    if (autoStart && !blocked) void join();
  });
  useEffect(() => {
    joinOnMount();
    return () => session.current?.stop();
  }, []);

  const pct = Math.min(100, Math.round(Math.sqrt(level) * 100));
  return (
    <div className="listen" data-listen={state} data-level={level.toFixed(4)}>
      {state === 'listening' || state === 'joining' ? (
        <button type="button" className="btn" onClick={stop} data-listen-toggle>
          {state === 'joining' ? 'Joining…' : 'Stop listening'}
        </button>
      ) : (
        <button type="button" className="btn" onClick={start} data-listen-toggle disabled={blocked !== undefined}>
          Listen in
        </button>
      )}
      {blocked && (
        <span className="small muted" data-listen-blocked>
          {blocked}
        </span>
      )}
      <span className="meter" role="meter" aria-label="Room audio level" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
        <span className="meter-fill" style={{ width: `${pct}%` }} />
      </span>
      {error && <span className="small error">{error}</span>}
    </div>
  );
}
