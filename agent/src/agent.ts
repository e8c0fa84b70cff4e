/**
 * Showwire's voice agent. It joins a show's LiveKit room when dispatched by name, hears the host,
 * answers by voice, creates products and puts them on the carousel, and posts everything it
 * hears, says and does to the hub. Reads top to bottom: prewarm, entry, session, tools.
 *
 *   npm run agent -w agent        # dev worker (tsx, debug logs)
 *   npm start -w agent            # production worker (built JS)
 */
import { type JobContext, type JobProcess, ServerOptions, cli, defineAgent, log, voice } from '@livekit/agents';
import * as openai from '@livekit/agents-plugin-openai';
import * as silero from '@livekit/agents-plugin-silero';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bridgeSession } from './bridge.js';
import { registerControls } from './controls.js';
import { type AgentConfig, type DispatchMetadata, loadAgentConfig, parseDispatchMetadata } from './config.js';
import { findHost } from './host-rpc.js';
import { createHubClient } from './hub-client.js';
import { showTools, type ToolDeps } from './tools.js';

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
    // Runs after the session closes: what is still queued gets its chance to reach the hub.
    ctx.addShutdownCallback(async () => {
      const stats = await hub.close(10_000);
      logger.info({ ...stats, show }, 'hub client drained');
    });

    await ctx.connect();
    const hostIdentity = meta.hostIdentity ?? meta.seller;

    // --- session: OpenAI STT → LLM → TTS, Silero VAD, bridged to the hub -----------------------

    const session = new voice.AgentSession({ vad: ctx.proc.userData.vad as silero.VAD, ...openaiModels(config) });
    const bridge = bridgeSession(session, hub, {
      userIdentity: () => hostIdentity ?? findHost(ctx.room)?.identity,
      agentIdentity: () => ctx.room.localParticipant?.identity,
    });
    await session.start({
      agent: showAgent({ hub, token: config.HUB_AGENT_TOKEN, room: ctx.room, hostIdentity, log: (m, e) => logger.warn({ err: e }, m) }, meta),
      room: ctx.room,
    });
    session.output.transcription = bridge.transcriptionOutput(session.output.transcription);
    registerControls(ctx.room, session, { shutdown: (reason) => ctx.shutdown(reason) });
    bridge.ready();
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

// Started as a program (not imported by a job process or a test): run the worker.
if (process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))) {
  const config = loadAgentConfig();
  const port = process.env.AGENT_HTTP_PORT ? Number(process.env.AGENT_HTTP_PORT) : undefined;
  cli.runApp(
    new ServerOptions({
      agent: fileURLToPath(import.meta.url),
      agentName: config.AGENT_NAME,
      // Loading Silero on a busy machine can take longer than the 10 s default.
      initializeProcessTimeout: 60_000,
      ...(port !== undefined && { port }),
    }),
  );
}
