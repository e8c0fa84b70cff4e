/**
 * Showwire's voice agent. It joins a show's LiveKit room when dispatched by name, hears the host,
 * answers by voice, creates products and puts them on the carousel, and posts everything it
 * hears, says and does to the hub. Reads top to bottom: prewarm, entry, session, tools.
 *
 *   npm run agent -w agent        # dev worker (tsx, debug logs)
 *   npm start -w agent            # production worker (built JS)
 */
import { loadEnvFile } from '@showwire/protocol/env-file';
import { type AgentServer, type JobContext, type JobProcess, ServerOptions, cli, defineAgent, log, voice } from '@livekit/agents';
import * as openai from '@livekit/agents-plugin-openai';
import * as silero from '@livekit/agents-plugin-silero';
import { DisconnectReason, type Room, RoomEvent } from '@livekit/rtc-node';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bridgeSession } from './bridge.js';
import { registerControls } from './controls.js';
import { type AgentConfig, type DispatchMetadata, loadAgentConfig, loadAgentConfigOrExit, parseDispatchMetadata } from './config.js';
import { guardHealthServer } from './health-server.js';
import { HOST_KINDS, waitForHost, watchHostPresence } from './host-link.js';
import { createHubClient, type HubClient } from './hub-client.js';
import { END_REASONS, sessionEnd } from './session-end.js';
import { showTools, type ToolDeps } from './tools.js';
import { reportTurnMetrics } from './turn-metrics.js';

/**
 * What a running show's agent is made of, for modules that act on it (e.g. staff controls over
 * RPC): they get this once the session runs and need nothing else.
 */
export interface ShowSession {
  show: string;
  room: Room;
  session: voice.AgentSession;
  agent: voice.Agent;
  hub: HubClient;
  /** The host's identity the agent listens to. */
  hostIdentity: string;
  /** Ends the agent's session for `reason` (posted as `agent_session_closed`) and the job with it. */
  end: (reason: string) => void;
}

// --- prewarm: load Silero once per worker process, before any job needs it ---------------------

export default defineAgent({
  prewarm: async (proc: JobProcess) => {
    proc.userData.vad = await silero.VAD.load();
  },

  // --- entry: one show's room ------------------------------------------------------------------

  entry: async (ctx: JobContext) => {
    const logger = log();
    const config = loadAgentConfig();
    const meta = parseDispatchMetadata(ctx.job.metadata);
    const show = ctx.job.room?.name || ctx.room.name || 'default';
    const hub = createHubClient({
      url: config.HUB_URL,
      token: config.HUB_AGENT_TOKEN,
      show,
      onDrop: (r) => logger.warn({ ...r, show }, 'hub client dropped events'),
      onError: (e) => logger.debug({ err: e.message, show }, 'hub unreachable; retrying'),
    });
    // Every way the job ends passes here, after the session closed: the hub hears why (once),
    // then what is still queued gets its chance to reach it before the process exits.
    const ended = sessionEnd(hub);
    ctx.addShutdownCallback(async () => {
      ended.post(END_REASONS.shutdown);
      const stats = await hub.close(10_000);
      logger.info({ ...stats, show, reason: ended.reason() }, 'hub client drained');
    });
    const end = (reason: string) => {
      ended.note(reason);
      ctx.shutdown(reason);
    };
    // The room going away ends the job (the framework's doing); this only says why, and stops
    // waiting for a host that can no longer come.
    const roomGone = new AbortController();
    ctx.room.on(RoomEvent.Disconnected, (reason) => {
      roomGone.abort();
      if (reason !== DisconnectReason.CLIENT_INITIATED) ended.note(reason === DisconnectReason.ROOM_DELETED ? END_REASONS.roomEnded : END_REASONS.disconnected);
    });

    try {
      await ctx.connect();
      const graceMs = config.AGENT_HOST_GRACE_S * 1000;
      // Said before waiting, so the wall and the studio can tell a waiting agent from a missing one.
      hub.publish({ type: 'agent_waiting', graceS: config.AGENT_HOST_GRACE_S, ...(meta.hostIdentity && { host: meta.hostIdentity }) });
      const hostIdentity = await waitForHost(ctx.room, { named: meta.hostIdentity, timeoutMs: graceMs, signal: roomGone.signal, log: (m) => logger.warn({ show }, m) });
      if (roomGone.signal.aborted) return;
      if (!hostIdentity) {
        logger.warn({ show, graceS: config.AGENT_HOST_GRACE_S }, 'no host joined; ending the session');
        return end(END_REASONS.noHost);
      }
      logger.info({ show, host: hostIdentity }, 'linking the agent to the host');

      // --- session: OpenAI STT → LLM → TTS, Silero VAD, bridged to the hub ---------------------

      const session = new voice.AgentSession({ vad: ctx.proc.userData.vad as silero.VAD, ...openaiModels(config) });
      const bridge = bridgeSession(session, hub, {
        userIdentity: () => hostIdentity,
        agentIdentity: () => ctx.room.localParticipant?.identity,
      });
      reportTurnMetrics(session, (e) => hub.publish(e));
      // A session that closes by itself (an unrecoverable error) takes the job with it: an agent
      // without a session must not stay in the room looking alive.
      session.on(voice.AgentSessionEventTypes.Close, ({ error, reason }) => {
        logger.info({ show, reason, err: error ? String((error instanceof Error ? error : error.error).message) : undefined }, 'agent session closed');
        // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-comparison -- the SDK types a close reason as CloseReason | string
        if (error || reason === voice.CloseReason.ERROR) ended.note(END_REASONS.error);
        ended.post(END_REASONS.shutdown);
        ctx.shutdown(`agent session closed: ${reason}`);
      });
      const stopWatching = watchHostPresence(ctx.room, hostIdentity, {
        graceMs,
        onLeft: () => logger.info({ show, host: hostIdentity, graceS: config.AGENT_HOST_GRACE_S }, 'host left; waiting for it'),
        onBack: () => logger.info({ show, host: hostIdentity }, 'host is back'),
        onGone: (seen) => {
          logger.info({ show, host: hostIdentity, seen }, 'host away for the whole grace; ending the session');
          end(seen ? END_REASONS.hostGone : END_REASONS.noHost);
        },
      });
      ctx.addShutdownCallback(() => Promise.resolve(stopWatching()));

      const agent = showAgent({ hub, token: config.HUB_AGENT_TOKEN, room: ctx.room, hostIdentity, log: (m, e) => logger.warn({ err: e }, m) }, meta);
      await session.start({
        agent,
        room: ctx.room,
        // The framework's room input hears only the host; viewers joining or leaving never
        // touch it, and the host leaving does not close it: the grace above decides.
        inputOptions: { participantIdentity: hostIdentity, participantKinds: HOST_KINDS, closeOnDisconnect: false },
      });
      session.output.transcription = bridge.transcriptionOutput(session.output.transcription);
      bridge.ready();

      // Staff controls over LiveKit RPC (say, pause, resume, end_agent); end_agent ends the show's
      // session the way every other end does, so the hub hears why.
      registerControls(ctx.room, session, { shutdown: (reason) => end(reason) });
      const showSession: ShowSession = { show, room: ctx.room, session, agent, hub, hostIdentity, end };
      logger.info({ show: showSession.show, host: showSession.hostIdentity }, 'agent ready');
    } catch (error) {
      ended.note(END_REASONS.error);
      hub.publish({ type: 'agent_error', message: `agent failed to start: ${error instanceof Error ? error.message : String(error)}`.slice(0, 4000), recoverable: false });
      throw error;
    }
  },
});

/** The three OpenAI models, each named by config, all through `OPENAI_BASE_URL` when it is set. */
export function openaiModels(config: AgentConfig) {
  const common = { apiKey: config.OPENAI_API_KEY, ...(config.OPENAI_BASE_URL && { baseURL: config.OPENAI_BASE_URL }) };
  return {
    // The transcriptions endpoint, segmented by Silero: works with any OpenAI-compatible server.
    stt: new openai.STT({ ...common, model: config.OPENAI_STT_MODEL, useRealtime: false }),
    llm: new openai.LLM({ ...common, model: config.OPENAI_LLM_MODEL }),
    tts: new openai.TTS({ ...common, model: config.OPENAI_TTS_MODEL, voice: config.OPENAI_TTS_VOICE as openai.TTSVoices }),
  };
}

// --- tools: the agent and what it can do -----------------------------------------------------

export function showAgent(deps: ToolDeps, meta: DispatchMetadata = {}) {
  const about = [meta.title && `The show is "${meta.title}".`, meta.seller && `The seller is ${meta.seller}.`].filter(Boolean).join(' ');
  return new voice.Agent({
    instructions:
      'You are the voice assistant of a live-shopping show. You listen to the host and keep your answers short and spoken. ' +
      'When the host describes a product to sell, call create_product with its name, price, currency and description; ' +
      'when the host wants it shown to viewers, call add_product_to_show with the id create_product returned. ' +
      `If a tool fails, say briefly what went wrong. ${about}`,
    tools: showTools(deps),
  });
}

/** Load as the share of `maxJobs` running, full at the cap: capacity by shows, not by CPU. */
function loadByJobs(maxJobs: number) {
  return { loadFunc: (server: AgentServer) => Promise.resolve(server.activeJobs.length / maxJobs), loadThreshold: 1 };
}

// Started as a program (not imported by a job process or a test): run the worker.
if (process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))) {
  loadEnvFile(); // job processes inherit the worker's environment
  const config = loadAgentConfigOrExit();
  // The framework's defaults (8081 for `start`, any free port for `dev`), made explicit so the
  // guard knows which server is the health server.
  const health = { host: config.AGENT_HTTP_HOST, port: config.AGENT_HTTP_PORT ?? (process.argv.slice(2).includes('start') ? 8081 : 0) };
  guardHealthServer(health);
  cli.runApp(
    new ServerOptions({
      agent: fileURLToPath(import.meta.url),
      agentName: config.AGENT_NAME,
      // Loading Silero on a busy machine can take longer than the 10 s default.
      initializeProcessTimeout: 60_000,
      ...(config.AGENT_MAX_JOBS !== undefined && loadByJobs(config.AGENT_MAX_JOBS)),
      host: health.host,
      // The framework reads port 0 as "unset" (`port || 8081`); Node reads the string '0' as any free port.
      port: (health.port === 0 ? '0' : health.port) as number,
    }),
  );
}
