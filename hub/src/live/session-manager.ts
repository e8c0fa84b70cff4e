import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyBaseLogger } from 'fastify';
import { AccessToken } from 'livekit-server-sdk';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { EventInput, LiveSession, RecordingFile } from '@showwire/protocol';
import type { Principal } from '../auth/access.js';
import type { Config } from '../config.js';
import { HttpError } from '../errors.js';
import { livekitUnconfigured } from '../livekit/errors.js';
import { recordingsDir } from '../recordings/catalogue.js';
import { PARTICIPANT_OPTIONS_ENV, type FromParticipant, type ParticipantOptions, type ToParticipant } from './messages.js';

/** The part of a WebSocket a session writes to (the `ws` package's socket). */
export interface Viewer {
  readonly bufferedAmount: number;
  send(data: Buffer | string): void;
  close(code?: number, reason?: string): void;
}

interface Session {
  view: LiveSession;
  child: ChildProcess;
  viewers: Set<Viewer>;
  /**
   * Resolves with the participant process's exit code (null when killed by a signal), on 'close':
   * after its IPC channel is drained, so its last messages (the recording) are handled first.
   */
  exited: Promise<number | null>;
  stderr: string;
  /** The `recording_ready` publish, once the recording is closed: stop answers after it is stored. */
  recorded?: Promise<unknown>;
}

/** How long a participant process may take to start and join before start gives up (tsx + WebRTC on a busy box). */
const START_TIMEOUT_MS = 30_000;
/** How long stop waits for the recording to be finished before the process is killed. */
const STOP_TIMEOUT_MS = 30_000;
/** With a recording, stop also waits for its MP4, WAV and checksums to be made (minutes for a long show). */
const STOP_RECORDING_TIMEOUT_MS = 15 * 60_000;
/** Events the sessions publish (audio levels, recordings) come from this principal. */
const SOURCE: Principal = { sub: 'live-sessions', role: 'admin', shows: null, hub: true };

const dev = import.meta.url.endsWith('.ts');
const ENTRY = fileURLToPath(new URL(`./participant/main.${dev ? 'ts' : 'js'}`, import.meta.url));

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The live sessions of the live-sessions guide: one participant process per room
 * (participant/main.ts), its media relayed to WebSocket viewers, its audio levels and recording
 * published as events. What it owns: the processes, and each session's viewers.
 */
export function createLiveSessions(deps: {
  config: Config;
  publish: (inputs: Array<EventInput & { show: string }>, principal: Principal) => Promise<unknown>;
  registry: Registry;
  logger: FastifyBaseLogger;
  /** Stores a closed recording's files where every hub can serve them (recordings/storage.ts). */
  keepRecording: (dir: string, files: RecordingFile[]) => Promise<void>;
}) {
  const { config, logger } = deps;
  const sessions = new Map<string, Session>();
  let nextId = 1;
  const sent = new Counter({ name: 'showwire_live_frames_sent_total', help: 'Live session messages sent to WebSocket viewers, by kind', labelNames: ['kind'] as const, registers: [deps.registry] });
  const dropped = new Counter({
    name: 'showwire_live_frames_dropped_total',
    help: 'Live session messages not sent to a WebSocket viewer whose buffer was full (HUB_LIVE_WS_BUFFER_BYTES), by kind',
    labelNames: ['kind'] as const,
    registers: [deps.registry],
  });
  new Gauge({
    name: 'showwire_live_sessions',
    help: 'Live sessions running',
    registers: [deps.registry],
    collect() {
      this.set(sessions.size);
    },
  });

  const publish = (event: EventInput & { show: string }) =>
    deps.publish([event], SOURCE).catch((error: unknown) => logger.error({ err: error, type: event.type }, 'live session could not publish an event'));

  function toViewers(s: Session, kind: 'video' | 'audio', data: Buffer | string) {
    for (const v of s.viewers) {
      // A slow viewer loses frames, never the hub's memory: nothing is queued past the cap.
      if (v.bufferedAmount > config.HUB_LIVE_WS_BUFFER_BYTES) {
        dropped.inc({ kind });
        continue;
      }
      v.send(data);
      sent.inc({ kind });
    }
  }

  function onMessage(s: Session, m: FromParticipant) {
    const room = s.view.room_name;
    if (m.t === 'video') toViewers(s, 'video', Buffer.from(m.jpeg.buffer, m.jpeg.byteOffset, m.jpeg.byteLength));
    else if (m.t === 'audio') toViewers(s, 'audio', `audio:${Buffer.from(m.pcm.buffer, m.pcm.byteOffset, m.pcm.byteLength).toString('base64')}`);
    else if (m.t === 'level') {
      const { participant, speakingFraction, levelDbfs, windowMs } = m;
      void publish({ type: 'audio_level', show: room, ...(participant && { participant }), speakingFraction, levelDbfs, windowMs });
    } else if (m.t === 'recording') {
      s.view.recording = { duration_seconds: m.durationSeconds ?? null, files: m.files };
      const announce = () => publish({ type: 'recording_ready', show: room, path: m.path, sessionId: String(s.view.id), durationSeconds: m.durationSeconds, files: m.files });
      // Announced once stored (with S3: every part uploaded and the upload completed), so nothing
      // half-uploaded is ever announced; a failed upload leaves it served by this hub only.
      s.recorded = deps.keepRecording(dirname(m.path), m.files).then(announce, (error: unknown) => {
        logger.error({ err: error, room }, 'recording upload failed; it is served by this hub only');
        return announce();
      });
    }
  }

  const tell = (s: Session, m: ToParticipant) => s.child.connected && s.child.send(m);

  async function start(room: string, record: boolean): Promise<LiveSession> {
    const { LIVEKIT_URL: url, LIVEKIT_API_KEY: key, LIVEKIT_API_SECRET: secret } = config;
    if (!url || !key || !secret) throw livekitUnconfigured();

    // Hidden and subscribe-only: the room's people don't see it, and it is not counted as a viewer.
    const at = new AccessToken(key, secret, { identity: `showwire-live-${room}`, name: 'Showwire live session', ttl: 24 * 3600 });
    at.addGrant({ room, roomJoin: true, canSubscribe: true, canPublish: false, canPublishData: false, hidden: true });
    const now = Date.now();
    let recordPath: string | undefined;
    if (record) {
      const dir = recordingsDir(config);
      mkdirSync(dir, { recursive: true });
      recordPath = join(dir, `${room.replace(/:/g, '_')}-${iso(now).replace(/[:.]/g, '-')}.mkv`);
    }
    const token = await at.toJwt();
    // Checked after the last await before the session is registered: two concurrent starts can't both pass.
    if (sessions.has(room)) throw new HttpError('session_active', `a live session is already running in room "${room}"; stop it first`);
    const options: ParticipantOptions = {
      url,
      token,
      room,
      fps: config.HUB_LIVE_FPS,
      maxWidth: config.HUB_LIVE_MAX_WIDTH,
      levelIntervalMs: config.HUB_LIVE_LEVEL_INTERVAL_MS,
      speakingDbfs: config.HUB_LIVE_SPEAKING_DBFS,
      ...(recordPath && { recordPath }),
    };
    const child = fork(ENTRY, [], {
      execArgv: dev ? ['--conditions=development', '--import', 'tsx'] : [],
      env: { ...process.env, [PARTICIPANT_OPTIONS_ENV]: JSON.stringify(options) },
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    const view: LiveSession = {
      id: nextId++,
      room_name: room,
      participant_sid: '',
      status: 'starting',
      record_session: record,
      recording_path: recordPath ?? null,
      recording: null,
      start_time: iso(now),
      end_time: null,
      created_at: iso(now),
      updated_at: iso(now),
    };
    const s: Session = { view, child, viewers: new Set(), stderr: '', exited: new Promise((r) => child.once('close', (code) => r(code))) };
    sessions.set(room, s);
    child.stderr!.on('data', (c: Buffer) => (s.stderr = (s.stderr + c.toString()).slice(-4000)));

    const joined = await new Promise<{ sid?: string; error?: string }>((resolveJoin) => {
      const timer = setTimeout(() => resolveJoin({ error: `no answer within ${START_TIMEOUT_MS} ms` }), START_TIMEOUT_MS);
      child.on('message', (m: FromParticipant) => {
        if (m.t === 'joined' || m.t === 'failed') {
          clearTimeout(timer);
          resolveJoin(m.t === 'joined' ? { sid: m.sid } : { error: m.message });
        } else onMessage(s, m);
      });
      void s.exited.then(() => {
        clearTimeout(timer);
        resolveJoin({ error: `participant process exited: ${s.stderr.trim().split('\n').pop() ?? ''}` });
      });
    });
    if (joined.error !== undefined) {
      child.kill('SIGKILL');
      await s.exited;
      sessions.delete(room);
      throw new HttpError('livekit_unavailable', `could not join LiveKit room "${room}" at ${url}: ${joined.error}`);
    }
    Object.assign(view, { participant_sid: joined.sid, status: 'active', updated_at: iso(Date.now()) });
    void s.exited.then((code) => {
      // Exit 0 without a stop: the room was deleted or the participant removed (the show ended).
      if (view.status !== 'stopping') {
        if (code === 0) logger.info({ room }, 'live session ended with its room');
        else logger.warn({ room, code, stderr: s.stderr.slice(-1000) }, 'live session participant failed');
      }
      Object.assign(view, { status: 'stopped', end_time: iso(Date.now()), updated_at: iso(Date.now()) });
      // 1000: the session ended (stop, the room gone); 1011: its participant process failed.
      const failed = code !== 0 && view.status !== 'stopping';
      for (const v of s.viewers) v.close(failed ? 1011 : 1000, failed ? 'live session failed' : 'live session ended');
      s.viewers.clear();
      if (sessions.get(room) === s) sessions.delete(room);
    });
    return { ...view };
  }

  /** Stops a room's session: the recording is finished (and `recording_ready` published) before this resolves. */
  async function stop(room: string): Promise<void> {
    const s = sessions.get(room);
    if (!s || s.view.status !== 'active') throw new HttpError('not_found', `no live session is running in room "${room}"`);
    Object.assign(s.view, { status: 'stopping', updated_at: iso(Date.now()) });
    tell(s, { t: 'stop' });
    const killer = setTimeout(() => s.child.kill('SIGKILL'), s.view.record_session ? STOP_RECORDING_TIMEOUT_MS : STOP_TIMEOUT_MS);
    await s.exited;
    clearTimeout(killer);
    await s.recorded;
  }

  return {
    start,
    stop,
    /** The running sessions, oldest first. */
    active: (): LiveSession[] => [...sessions.values()].filter((s) => s.view.status === 'active').map((s) => ({ ...s.view })),
    has: (room: string) => sessions.get(room)?.view.status === 'active',
    /** Adds a WebSocket viewer to a room's session; answers the function that removes it. */
    watch(room: string, viewer: Viewer): () => void {
      const s = sessions.get(room);
      if (!s || s.view.status !== 'active') {
        viewer.close(1011, 'no live session in this room');
        return () => {};
      }
      s.viewers.add(viewer);
      tell(s, { t: 'viewers', count: s.viewers.size });
      return () => {
        if (s.viewers.delete(viewer)) tell(s, { t: 'viewers', count: s.viewers.size });
      };
    },
    async close(): Promise<void> {
      await Promise.all(
        [...sessions.entries()].map(([room, s]) => {
          if (s.view.status === 'active') return stop(room).catch(() => {});
          if (s.view.status === 'starting') s.child.kill('SIGKILL');
          return s.exited;
        }),
      );
    },
  };
}
