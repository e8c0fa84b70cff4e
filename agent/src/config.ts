import { zodIssues } from '@showwire/protocol';
import { z } from 'zod';

/** The agent's environment, validated once at start (a bad value stops it with a clear message). */
export const schema = z.object({
  /** The hub the agent posts to. */
  HUB_URL: z.url().default('http://127.0.0.1:8080'),
  /** An agent-role hub token covering the shows the agent joins (unset only with HUB_AUTH=off). */
  HUB_AGENT_TOKEN: z.string().optional(),
  /** The name the worker registers under; LiveKit dispatches it explicitly by this name. */
  AGENT_NAME: z.string().min(1).default('showwire-voice-agent'),
  /**
   * Seconds the agent waits for the host: at the start until one is in the room, and after the
   * host left until it is back (it re-links then). Past it the session ends (`host_gone`).
   */
  AGENT_HOST_GRACE_S: z.coerce.number('must be a number of seconds').positive('must be more than 0').max(86_400, 'must be at most 86400 (a day)').default(120),
  /**
   * Shows one worker takes at most. Unset: the worker's load is its CPU use and it reports itself
   * full at 70% (the framework's default). Set: its load is running jobs / this, full at the cap.
   * LiveKit gives a job only to a worker whose load is below 1 *when the dispatch arrives* and does
   * not retry later, so a CPU busy with other work (a shared machine) can lose dispatches.
   */
  AGENT_MAX_JOBS: z.coerce.number('must be a number').int('must be a whole number').positive('must be at least 1').max(1000, 'must be at most 1000').optional(),
  /**
   * Where the worker's health server (`/` health, `/worker` info) listens. Loopback by default,
   * as the hub: set 0.0.0.0 where an orchestrator probes it from outside (a container).
   */
  AGENT_HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  /** Its port; 0 = any free port (the worker logs the one it got). Unset: 8081 for `start`, any free one for `dev`. */
  AGENT_HTTP_PORT: z.coerce.number('must be a port number').int('must be a whole number').min(0, 'must be 0 to 65535').max(65_535, 'must be 0 to 65535').optional(),
  /** OpenAI key; any non-empty value works against an OpenAI-compatible server that ignores it. */
  OPENAI_API_KEY: z.string().min(1, 'is required (any value works against a local OpenAI-compatible server)'),
  /** OpenAI-compatible base URL (e.g. http://127.0.0.1:9000/v1); unset: api.openai.com. */
  OPENAI_BASE_URL: z.url().optional(),
  /** Model names, each swappable without a code change. */
  OPENAI_STT_MODEL: z.string().min(1).default('gpt-4o-transcribe'),
  OPENAI_LLM_MODEL: z.string().min(1).default('gpt-4.1-mini'),
  OPENAI_TTS_MODEL: z.string().min(1).default('gpt-4o-mini-tts'),
  OPENAI_TTS_VOICE: z.string().min(1).default('alloy'),
});

export type AgentConfig = z.infer<typeof schema>;

export function loadAgentConfig(env: NodeJS.ProcessEnv = process.env): AgentConfig {
  // Empty strings (as .env.example leaves them) mean "unset".
  const given = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const parsed = schema.safeParse(given);
  if (!parsed.success) {
    const lines = zodIssues(parsed.error).map((i) => `  ${i.path}: ${i.message}`).join('\n');
    throw new Error(`invalid agent configuration:\n${lines}`);
  }
  return parsed.data;
}

/** The worker's exit code when a setting is invalid (the hub uses 2 for the same). */
export const EXIT_BAD_SETTING = 2;

/** At the worker's start: a bad setting is its message on stderr and exit code 2, not a stack trace. */
export function loadAgentConfigOrExit(env: NodeJS.ProcessEnv = process.env): AgentConfig {
  try {
    return loadAgentConfig(env);
  } catch (error) {
    process.stderr.write(`showwire agent: ${(error as Error).message}\n  (fix it in the environment or in .env; see .env.example)\n`);
    process.exit(EXIT_BAD_SETTING);
  }
}

/** What a dispatch may carry in its metadata (JSON); anything else in it is ignored. */
export const dispatchMetadata = z
  .looseObject({
    title: z.string().max(300).optional(),
    seller: z.string().max(256).optional(),
    /** The host's participant identity in the room, when it differs from `seller`. */
    hostIdentity: z.string().max(256).optional(),
  })
  .catch({});
export type DispatchMetadata = z.infer<typeof dispatchMetadata>;

export function parseDispatchMetadata(raw: string | undefined): DispatchMetadata {
  if (!raw) return {};
  try {
    return dispatchMetadata.parse(JSON.parse(raw));
  } catch {
    return {};
  }
}
