import {
  AudioFrame,
  AudioSource,
  LocalAudioTrack,
  LocalVideoTrack,
  Room,
  TrackPublishOptions,
  TrackSource,
  VideoBufferType,
  VideoFrame,
  VideoSource,
} from '@livekit/rtc-node';
import { AccessToken } from 'livekit-server-sdk';

/** The eight bars of a test card, as Y, U, V (BT.601): white, yellow, cyan, green, magenta, red, blue, black. */
const BARS: Array<[number, number, number]> = [
  [235, 128, 128],
  [210, 16, 146],
  [170, 166, 16],
  [145, 54, 34],
  [106, 202, 222],
  [81, 90, 240],
  [41, 240, 110],
  [16, 128, 128],
];

/** One I420 frame of colour bars shifted right by `shift` pixels (so the picture moves). */
export function colourBars(width: number, height: number, shift: number): Uint8Array {
  const cw = width / 2;
  const ch = height / 2;
  const data = new Uint8Array(width * height + cw * ch * 2);
  const bar = (x: number) => BARS[Math.floor((((x - shift) % width) + width) % width / (width / BARS.length))]!;
  for (let x = 0; x < width; x++) {
    const [y] = bar(x);
    for (let row = 0; row < height; row++) data[row * width + x] = y;
  }
  for (let x = 0; x < cw; x++) {
    const [, u, v] = bar(x * 2);
    for (let row = 0; row < ch; row++) {
      data[width * height + row * cw + x] = u;
      data[width * height + cw * ch + row * cw + x] = v;
    }
  }
  return data;
}

export interface MediaHost {
  room: Room;
  identity: string;
  /** Switches the microphone between the tone and digital silence (the track keeps running). */
  setTone(on: boolean): void;
  stop(): Promise<void>;
}

/**
 * A host in a real LiveKit room publishing a generated camera (moving colour bars, `fps`) and a
 * microphone (a sine at `toneHz`, 48 kHz mono, 10 ms frames, paced by the audio source's queue).
 */
export async function startMediaHost(opts: {
  url: string;
  apiKey: string;
  apiSecret: string;
  room: string;
  identity?: string;
  width?: number;
  height?: number;
  fps?: number;
  toneHz?: number;
}): Promise<MediaHost> {
  const { width = 320, height = 240, fps = 15, toneHz = 440, identity = 'host-alice' } = opts;
  const at = new AccessToken(opts.apiKey, opts.apiSecret, { identity });
  at.addGrant({ room: opts.room, roomJoin: true, canPublish: true, canSubscribe: true, canPublishData: true, roomAdmin: true });
  const room = new Room();
  await room.connect(opts.url, await at.toJwt(), { autoSubscribe: false, dynacast: false });

  const video = new VideoSource(width, height);
  const audio = new AudioSource(48_000, 1);
  const camera = LocalVideoTrack.createVideoTrack('camera', video);
  const mic = LocalAudioTrack.createAudioTrack('microphone', audio);
  await room.localParticipant!.publishTrack(camera, new TrackPublishOptions({ source: TrackSource.SOURCE_CAMERA, simulcast: false }));
  await room.localParticipant!.publishTrack(mic, new TrackPublishOptions({ source: TrackSource.SOURCE_MICROPHONE }));

  let running = true;
  let tone = true;
  let frame = 0;
  const videoTimer = setInterval(() => {
    const data = colourBars(width, height, (frame++ * 4) % width);
    video.captureFrame(new VideoFrame(data, width, height, VideoBufferType.I420));
  }, 1000 / fps);
  const audioLoop = (async () => {
    let n = 0;
    while (running) {
      const samples = new Int16Array(480);
      if (tone) for (let i = 0; i < 480; i++) samples[i] = Math.round(12_000 * Math.sin((2 * Math.PI * toneHz * (n + i)) / 48_000));
      n += 480;
      await audio.captureFrame(new AudioFrame(samples, 48_000, 1, 480));
    }
  })();

  return {
    room,
    identity,
    setTone: (on) => (tone = on),
    async stop() {
      running = false;
      clearInterval(videoTimer);
      // A capture can stay pending forever once the room is gone (deleted under the host): bounded wait.
      await Promise.race([audioLoop.catch(() => {}), new Promise((r) => setTimeout(r, 2_000).unref())]);
      await room.disconnect().catch(() => {});
      await video.close().catch(() => {});
      await audio.close().catch(() => {});
    },
  };
}
