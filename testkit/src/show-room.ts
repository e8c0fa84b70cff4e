import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AudioFrame, AudioSource, LocalAudioTrack, ParticipantKind, Room, RoomEvent, TrackPublishOptions, TrackSource } from '@livekit/rtc-node';
import { AccessToken } from 'livekit-server-sdk';
import { REPO_ROOT, tempDir, type TestHub } from './hub.js';
import type { LiveKitServer } from './livekit-server.js';
import { waitFor } from './wait.js';
import type { FakeOpenAI } from './fake-openai.js';

/**
 * A show's room for the agent's end-to-end tests: the agent worker as a process (as in
 * production), participants joining with hub-minted or hand-made LiveKit tokens, and a host that
 * speaks espeak-ng speech into a real microphone track.
 */

const RATE = 48_000;

/** `text` as speech: espeak-ng, then sox to 48 kHz 16-bit mono PCM. */
export function speech(text: string): Int16Array {
  const dir = tempDir('showwire-speech-');
  const wav = join(dir, 'speech.wav');
  const raw = join(dir, 'speech.raw');
  execFileSync('espeak-ng', ['-w', wav, text]);
  execFileSync('sox', [wav, '-r', String(RATE), '-b', '16', '-c', '1', '-e', 'signed-integer', '-t', 'raw', raw]);
  const bytes = readFileSync(raw);
  return new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2);
}

/** Whatever the worker printed, for failure messages, and a wait on a line of it. */
export function watch(child: ChildProcess) {
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const until = (re: RegExp, ms: number) =>
    waitFor(
      `the worker to print ${re}`,
      () => {
        if (re.test(out)) return true;
        if (child.exitCode !== null) throw new Error(`the worker exited (${child.exitCode}) first`);
        return false;
      },
      ms,
      200,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${telling().slice(-4000)}`);
    });
  // The framework's stall warnings flood a busy machine's log; failure messages leave them out.
  const telling = () =>
    out
      .split('\n')
      .filter((l) => !/event loop blocked|process not scheduled/.test(l))
      .join('\n');
  return { output: () => out, telling, until };
}

export interface Worker {
  child: ChildProcess;
  /** The port its health server got (it binds any free one on 127.0.0.1). */
  healthPort: number;
  log: ReturnType<typeof watch>;
  stop: () => Promise<void>;
}

/** The framework's line once the worker's health server listens. */
const HEALTH_PORT = /Server is listening on port (\d+)/;

type WorkerSetup = { livekit: LiveKitServer; hub: TestHub; fake: FakeOpenAI; agentName: string; env?: Record<string, string> };

/** The agent worker (`start`, from the TypeScript source), registered as `agentName`; resolves once registered. */
export async function startWorker(o: WorkerSetup): Promise<Worker> {
  const { child, log, stop } = await spawnWorker(o);
  try {
    await log.until(/registered worker/, 120_000);
    await log.until(HEALTH_PORT, 10_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { child, log, stop, healthPort: Number(HEALTH_PORT.exec(log.output())![1]) };
}

/** The worker's process as soon as it is spawned, for tests of how it starts and stops. */
export async function spawnWorker(o: WorkerSetup): Promise<Omit<Worker, 'healthPort'>> {
  const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', join(REPO_ROOT, 'agent', 'src', 'agent.ts'), 'start'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      LIVEKIT_URL: o.livekit.url,
      LIVEKIT_API_KEY: o.livekit.apiKey,
      LIVEKIT_API_SECRET: o.livekit.apiSecret,
      HUB_URL: o.hub.url,
      HUB_AGENT_TOKEN: await o.hub.token('agent', ['*'], 3600, o.agentName),
      OPENAI_API_KEY: 'test',
      OPENAI_BASE_URL: o.fake.baseURL,
      AGENT_NAME: o.agentName,
      // Any free port, bound by the worker itself: a port picked here could be taken before it binds.
      AGENT_HTTP_HOST: '127.0.0.1',
      AGENT_HTTP_PORT: '0',
      // Capacity by shows, not by CPU: on a busy shared machine LiveKit would drop the dispatches.
      AGENT_MAX_JOBS: '4',
      ...o.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = watch(child);
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(killer);
  };
  return { child, log, stop };
}

/** A LiveKit token made by hand (not by the hub): no `showwire.role` attribute. */
export function plainToken(lk: LiveKitServer, room: string, identity: string, canPublish: boolean): Promise<string> {
  const at = new AccessToken(lk.apiKey, lk.apiSecret, { identity });
  at.addGrant({ room, roomJoin: true, canPublish, canSubscribe: true });
  return at.toJwt();
}

/** A token from the hub's `POST /api/streaming/token`, as the show's apps get them. */
export async function hubToken(hub: TestHub, room: string, identity: string, role: 'host' | 'viewer'): Promise<string> {
  const res = await fetch(`${hub.url}/api/streaming/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await hub.token('admin')}` },
    body: JSON.stringify({ roomName: room, participantName: identity, role }),
  });
  const body = (await res.json()) as { token: string };
  if (res.status !== 200) throw new Error(`token for ${identity}: ${res.status} ${JSON.stringify(body)}`);
  return body.token;
}

export interface Participant {
  identity: string;
  room: Room;
  /** Speaks `pcm` then 2 s of silence (so the VAD hears the end), in real time; `midway` runs halfway through. */
  speak: (pcm: Int16Array, midway?: () => void) => Promise<void>;
  leave: () => Promise<void>;
}

/** Joins `url` with `token`; with `microphone`, publishes a microphone track to speak into. */
export async function joinRoom(url: string, token: string, identity: string, o: { microphone?: boolean } = {}): Promise<Participant> {
  const room = new Room();
  await room.connect(url, token, { autoSubscribe: true, dynacast: false });
  let source: AudioSource | undefined;
  if (o.microphone) {
    source = new AudioSource(RATE, 1);
    const track = LocalAudioTrack.createAudioTrack('microphone', source);
    const options = new TrackPublishOptions();
    options.source = TrackSource.SOURCE_MICROPHONE;
    await room.localParticipant!.publishTrack(track, options);
  }
  const speak = async (pcm: Int16Array, midway?: () => void) => {
    if (!source) throw new Error(`${identity} has no microphone`);
    const frame = RATE / 100; // 10 ms
    const half = Math.floor(pcm.length / 2 / frame) * frame;
    for (const part of [pcm, new Int16Array(RATE * 2)]) {
      // Bounded: one pass over the samples; captureFrame paces it to real time.
      for (let i = 0; i + frame <= part.length; i += frame) {
        if (part === pcm && i === half) midway?.();
        await source.captureFrame(new AudioFrame(part.slice(i, i + frame), RATE, 1, frame));
      }
    }
  };
  return { identity, room, speak, leave: () => room.disconnect().catch(() => undefined) };
}

/** The agent's participant in `room`, once it is there; a failure shows what the worker printed. */
export function agentIn(room: Room, worker?: Worker, ms = 120_000) {
  return waitFor('the agent to join the room', () => [...room.remoteParticipants.values()].find((p) => p.kind === ParticipantKind.AGENT), ms, 100).catch((error: Error) => {
    throw new Error(`${error.message}\n--- worker ---\n${worker?.log.telling().slice(-4000) ?? ''}`);
  });
}

/** Resolves when `identity` leaves `room`. */
export function leaves(room: Room, identity: string): Promise<void> {
  return new Promise((resolve) => {
    if (!room.remoteParticipants.has(identity)) return resolve();
    const on = (p: { identity: string }) => {
      if (p.identity !== identity) return;
      room.off(RoomEvent.ParticipantDisconnected, on);
      resolve();
    };
    room.on(RoomEvent.ParticipantDisconnected, on);
  });
}
