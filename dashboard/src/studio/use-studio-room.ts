import { useCallback, useEffect, useRef, useState } from 'react';
import { createLocalTracks, DisconnectReason, Room, RoomEvent, Track, type LocalAudioTrack, type LocalTrack, type LocalVideoTrack } from 'livekit-client';
import type { StreamingTokenResponse } from '@showwire/protocol';
import { apiRequest } from '../lib/api.js';
import { connectError, mediaError, type HostError } from './host-errors.js';

export type StudioPhase = 'idle' | 'starting' | 'live' | 'ended';

export interface Devices {
  cameras: MediaDeviceInfo[];
  microphones: MediaDeviceInfo[];
}

export interface StudioRoom {
  phase: StudioPhase;
  error?: HostError;
  /** The LiveKit identity the hub gave this host (the agent links to it). */
  identity?: string;
  devices: Devices;
  camera?: string;
  microphone?: string;
  micMuted: boolean;
  camMuted: boolean;
  facing: 'user' | 'environment';
  /** The camera preview's `ref`: attaches the camera to the element (a callback, not a ref object). */
  attachPreview: (el: HTMLVideoElement | null) => void;
  goLive: () => Promise<void>;
  pickCamera: (deviceId: string) => Promise<void>;
  pickMicrophone: (deviceId: string) => Promise<void>;
  toggleMic: () => Promise<void>;
  toggleCam: () => Promise<void>;
  flip: () => Promise<void>;
  /** The room was ended (by us or by staff): no more publishing. */
  markEnded: () => void;
}

/**
 * The host's side of the room: camera and microphone through livekit-client with the hub's host
 * token (`POST /api/streaming/token`). Media first, so a refused permission or a missing device
 * is said before anything is published; then the room, then the tracks. The hub token the
 * dashboard holds is refreshed by App; LiveKit refreshes its own token on the open connection,
 * so a long show keeps streaming.
 */
export function useStudioRoom(show: string, token: string | null, participantName: string): StudioRoom {
  const room = useRef<Room | undefined>(undefined);
  const tracks = useRef<{ audio?: LocalAudioTrack; video?: LocalVideoTrack }>({});
  const video = useRef<HTMLVideoElement | null>(null);
  const [phase, setPhase] = useState<StudioPhase>('idle');
  const [error, setError] = useState<HostError>();
  const [identity, setIdentity] = useState<string>();
  const [devices, setDevices] = useState<Devices>({ cameras: [], microphones: [] });
  const [camera, setCamera] = useState<string>();
  const [microphone, setMicrophone] = useState<string>();
  const [micMuted, setMicMuted] = useState(false);
  const [camMuted, setCamMuted] = useState(false);
  const [facing, setFacing] = useState<'user' | 'environment'>('user');
  const tokenRef = useRef(token);
  useEffect(() => {
    tokenRef.current = token;
  }, [token]);

  const listDevices = useCallback(() => localDevices().then(setDevices), []);

  const stopAll = () => {
    for (const t of Object.values(tracks.current) as LocalTrack[]) t?.stop();
    tracks.current = {};
  };

  useEffect(() => {
    localDevices().then(setDevices, () => undefined);
    return () => {
      stopAll();
      void room.current?.disconnect();
    };
  }, []);

  const goLive = useCallback(async () => {
    setError(undefined);
    setPhase('starting');
    let local: LocalTrack[];
    try {
      local = await createLocalTracks({
        audio: microphone ? { deviceId: microphone } : true,
        video: camera ? { deviceId: camera } : { facingMode: facing },
      });
    } catch (e) {
      setError(mediaError(e));
      setPhase('idle');
      return;
    }
    for (const t of local) {
      if (t.kind === Track.Kind.Audio) tracks.current.audio = t as LocalAudioTrack;
      else tracks.current.video = t as LocalVideoTrack;
    }
    if (video.current) tracks.current.video?.attach(video.current);
    void listDevices().catch(() => undefined); // labels are only given once permission is
    let grant: StreamingTokenResponse | undefined;
    try {
      grant = await apiRequest<StreamingTokenResponse>('/api/streaming/token', tokenRef.current, {
        method: 'POST',
        body: JSON.stringify({ roomName: show, participantName, role: 'host' }),
      });
      const r = new Room({ adaptiveStream: true, dynacast: true });
      r.on(RoomEvent.Disconnected, (reason) => {
        if (reason === DisconnectReason.ROOM_DELETED) setPhase('ended');
        else if (reason !== DisconnectReason.CLIENT_INITIATED) setError({ problem: 'livekit_unreachable', message: 'The connection to the video server was lost. Press Go live to reconnect.' });
      });
      r.on(RoomEvent.Reconnecting, () => setError({ problem: 'livekit_unreachable', message: 'The connection to the video server dropped; reconnecting…' }));
      r.on(RoomEvent.Reconnected, () => setError(undefined));
      await r.connect(grant.url, grant.token);
      room.current = r;
      for (const t of local) await r.localParticipant.publishTrack(t);
      setIdentity(grant.identity);
      setPhase('live');
    } catch (e) {
      stopAll();
      await room.current?.disconnect();
      room.current = undefined;
      setError(connectError(e, grant?.url ?? 'LiveKit'));
      setPhase('idle');
    }
  }, [show, participantName, camera, microphone, facing, listDevices]);

  const pickCamera = useCallback(async (deviceId: string) => {
    setCamera(deviceId);
    await tracks.current.video?.setDeviceId(deviceId);
  }, []);
  const pickMicrophone = useCallback(async (deviceId: string) => {
    setMicrophone(deviceId);
    await tracks.current.audio?.setDeviceId(deviceId);
  }, []);
  const toggleMic = useCallback(async () => setMicMuted(await toggleMute(tracks.current.audio)), []);
  const toggleCam = useCallback(async () => setCamMuted(await toggleMute(tracks.current.video)), []);
  const flip = useCallback(async () => {
    const next = facing === 'user' ? 'environment' : 'user';
    setFacing(next);
    await tracks.current.video?.restartTrack({ facingMode: next }).catch((e: unknown) => setError(mediaError(e)));
  }, [facing]);
  const markEnded = useCallback(() => {
    stopAll();
    setPhase('ended');
  }, []);

  const attachPreview = useCallback((el: HTMLVideoElement | null) => {
    video.current = el;
    if (el) tracks.current.video?.attach(el);
  }, []);

  return { phase, error, identity, devices, camera, microphone, micMuted, camMuted, facing, attachPreview, goLive, pickCamera, pickMicrophone, toggleMic, toggleCam, flip, markEnded };
}

/** The cameras and microphones this browser has (named only once permission is given). */
async function localDevices(): Promise<Devices> {
  const [cameras, microphones] = await Promise.all([Room.getLocalDevices('videoinput', false), Room.getLocalDevices('audioinput', false)]);
  return { cameras, microphones };
}

/** Mutes a track that is not muted and unmutes one that is; answers whether it is muted now. */
async function toggleMute(track: LocalAudioTrack | LocalVideoTrack | undefined): Promise<boolean> {
  if (!track) return false;
  if (track.isMuted) await track.unmute();
  else await track.mute();
  return track.isMuted;
}
