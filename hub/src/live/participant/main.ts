/**
 * A live session's participant, run as its own process by the hub (live/session-manager.ts), so
 * that WebRTC media decoding, JPEG encoding, audio metering and recording never touch the hub's
 * event loop. It joins the room hidden and subscribe-only, follows the host (the first standard,
 * non-agent participant whose track it receives), and talks to the hub over the IPC channel.
 */
import { AudioStream, dispose, ParticipantKind, Room, RoomEvent, TrackKind, VideoBufferType, VideoStream, type RemoteParticipant, type RemoteTrack } from '@livekit/rtc-node';
import { AUDIO_CHANNELS, AUDIO_SAMPLE_RATE, PARTICIPANT_OPTIONS_ENV, type FromParticipant, type ParticipantOptions, type ToParticipant } from '../messages.js';
import { createAudioMeter } from './audio-meter.js';
import { startJpegEncoder } from './jpeg-encoder.js';
import { finishRecording } from '../../recordings/finish.js';
import { startRecorder } from './recorder.js';

const opts = JSON.parse(process.env[PARTICIPANT_OPTIONS_ENV] ?? '{}') as ParticipantOptions;
const send = (m: FromParticipant) => process.send?.(m);

/** How long LiveKit may be away (reconnecting) before the session ends; the hub promises 5 s in all. */
const LIVEKIT_LOST_MS = 3_000;
const EXIT_LIVEKIT_LOST = 3;

/** Audio goes to viewers in 100 ms chunks: ten 10 ms frames per WebSocket message, not one. */
const AUDIO_CHUNK_BYTES = (AUDIO_SAMPLE_RATE / 10) * 2 * AUDIO_CHANNELS;

let viewers = 0;
let stopping = false;
let host: string | undefined;
let encoder: ReturnType<typeof startJpegEncoder> | undefined;
let recorder: ReturnType<typeof startRecorder> | undefined;
let lastJpegAt = -Infinity;
let audioChunk: Buffer[] = [];
let audioChunkBytes = 0;
const room = new Room();
const meter = createAudioMeter({ sampleRate: AUDIO_SAMPLE_RATE, speakingDbfs: opts.speakingDbfs });

const isHost = (p: RemoteParticipant) => {
  if (p.kind === ParticipantKind.AGENT) return false;
  host ??= p.identity;
  return p.identity === host;
};

async function pumpVideo(track: RemoteTrack) {
  for await (const { frame } of new VideoStream(track)) {
    if (stopping) break;
    const i420 = frame.type === VideoBufferType.I420 ? frame : frame.convert(VideoBufferType.I420);
    const { width, height, data } = i420;
    if (opts.recordPath && !recorder) {
      recorder = startRecorder({ path: opts.recordPath, width, height, sampleRate: AUDIO_SAMPLE_RATE, onExit: (why) => console.error(why) });
    }
    // The recording keeps the first size (a file has one); frames of another size are left out of it.
    if (recorder && recorder.width === width && recorder.height === height) recorder.video(data);
    if (viewers === 0) continue;
    const now = performance.now();
    if (now - lastJpegAt < 1000 / opts.fps) continue;
    if (encoder && (encoder.width !== width || encoder.height !== height)) {
      encoder.close();
      encoder = undefined;
    }
    encoder ??= startJpegEncoder({
      width,
      height,
      maxWidth: opts.maxWidth,
      onImage: (jpeg) => send({ t: 'video', jpeg }),
      onExit: (why) => {
        if (!stopping) console.error(why);
        encoder = undefined;
      },
    });
    if (encoder.offer(data)) lastJpegAt = now;
  }
}

async function pumpAudio(track: RemoteTrack) {
  for await (const frame of new AudioStream(track, { sampleRate: AUDIO_SAMPLE_RATE, numChannels: AUDIO_CHANNELS })) {
    if (stopping) break;
    meter.add(frame.data);
    const bytes = Buffer.from(frame.data.buffer, frame.data.byteOffset, frame.data.byteLength);
    recorder?.audio(bytes);
    if (viewers === 0) continue;
    audioChunk.push(Buffer.from(bytes));
    audioChunkBytes += bytes.length;
    if (audioChunkBytes >= AUDIO_CHUNK_BYTES) {
      send({ t: 'audio', pcm: Buffer.concat(audioChunk) });
      audioChunk = [];
      audioChunkBytes = 0;
    }
  }
}

room.on(RoomEvent.TrackSubscribed, (track, _pub, participant) => {
  if (!isHost(participant)) return;
  const pump = track.kind === TrackKind.KIND_VIDEO ? pumpVideo : track.kind === TrackKind.KIND_AUDIO ? pumpAudio : undefined;
  pump?.(track).catch((error: unknown) => console.error(`media of ${participant.identity}: ${String(error)}`));
});
room.on(RoomEvent.ParticipantDisconnected, (p) => {
  if (p.identity === host) host = undefined;
});
// The room was deleted (the show ended) or we were removed: the session is over, the recording closed.
room.on(RoomEvent.Disconnected, () => void stop(0));
// LiveKit gone (its connection dropped): the SDK retries for 20-30 s before it says Disconnected,
// while viewers see a frozen picture. A session that is not back within LIVEKIT_LOST_MS ends,
// with its recording finished, and exits non-zero so the hub reports it failed.
let lost: NodeJS.Timeout | undefined;
room.on(RoomEvent.Reconnecting, () => {
  lost ??= setTimeout(() => {
    console.error(`lost LiveKit: not reconnected within ${LIVEKIT_LOST_MS} ms`);
    void stop(EXIT_LIVEKIT_LOST);
  }, LIVEKIT_LOST_MS);
});
room.on(RoomEvent.Reconnected, () => {
  clearTimeout(lost);
  lost = undefined;
});

const levels = setInterval(() => send({ t: 'level', participant: host, ...meter.take() }), opts.levelIntervalMs);

async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  clearInterval(levels);
  clearTimeout(lost);
  encoder?.close();
  if (recorder) {
    const { error, durationSeconds } = await recorder.close();
    if (error) console.error(error);
    else {
      // The guide's MP4 and WAV, made here, off the hub's event loop, before the hub is told.
      const { files, errors } = await finishRecording(recorder.path);
      for (const e of errors) console.error(e);
      // Waits for the message to be handed over: the process exits right after.
      await new Promise((r) => process.send?.({ t: 'recording', path: recorder!.path, durationSeconds, files } satisfies FromParticipant, r) ?? r(undefined));
    }
  }
  // Bounded: with LiveKit gone, leaving the room may never be answered.
  const atMost = (p: Promise<unknown>) => Promise.race([p.catch(() => {}), new Promise((r) => setTimeout(r, 1_000))]);
  await atMost(room.disconnect());
  await atMost(dispose());
  process.disconnect?.();
  process.exit(code);
}

process.on('message', (m: ToParticipant) => {
  if (m.t === 'viewers') viewers = m.count;
  else if (m.t === 'stop') void stop(0);
});
// The hub went away (crash, SIGKILL): finish the recording and leave the room.
process.on('disconnect', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

try {
  await room.connect(opts.url, opts.token, { autoSubscribe: true, dynacast: false });
  send({ t: 'joined', sid: room.localParticipant?.sid ?? '' });
} catch (error) {
  send({ t: 'failed', message: error instanceof Error ? error.message : String(error) });
  await stop(1);
}
