import { llm, voice, type metrics as lkMetrics } from '@livekit/agents';
import type { KnownEventInput } from '@showwire/protocol';
import type { HubClient } from './hub-client.js';

/** The bridge publishes known event types only, their fields checked by the compiler against protocol's schemas. */
type TypedPublisher = { publish(event: KnownEventInput): void };

/**
 * The bridge: every `AgentSession` event the show cares about becomes a hub event. Handlers only
 * call `hub.publish()`, which queues and returns, so nothing here waits on the network.
 *
 * Transcripts carry an `itemId` so interim text settles into final text on the hub: the user's
 * is the STT item (or one id per user turn), the agent's is the id of the speech it belongs to.
 */
export interface BridgeOptions {
  /** Identity of the user (host) whose speech is transcribed, when known. */
  userIdentity?: () => string | undefined;
  /** The agent's own identity in the room. */
  agentIdentity?: () => string | undefined;
  /** Least time between two interim agent transcripts of one speech, in ms. */
  interimEveryMs?: number;
}

const E = voice.AgentSessionEventTypes;

export interface Bridge {
  /** Announces the agent once its session runs. */
  ready: (message?: string) => void;
  /**
   * A transcription output that publishes the agent's text as it is generated (interim,
   * throttled) and passes it on unchanged to the next output (the room's, if any).
   */
  transcriptionOutput: (next: TextOutput | null) => TextOutput;
}

export function bridgeSession(session: voice.AgentSession, hub: TypedPublisher & Omit<HubClient, 'publish'>, options: BridgeOptions = {}): Bridge {
  const userId = () => options.userIdentity?.();
  const agentId = () => options.agentIdentity?.();
  let userTurn = 0;
  // Whether STT already gave this turn a final transcript (then the committed message is not repeated).
  let sttFinalThisTurn = false;
  let speechId: string | undefined;
  const liveSpeeches = new Map<string, voice.SpeechHandle>();

  const transcript = (role: 'user' | 'agent', text: string, final: boolean, itemId: string) => {
    const participant = role === 'user' ? userId() : agentId();
    hub.publish({ type: 'transcript', role, text, final, itemId, ...(participant && { participant }) });
  };

  session.on(E.UserInputTranscribed, (ev) => {
    if (!ev.transcript) return;
    transcript('user', ev.transcript, ev.isFinal, ev.itemId ?? `user-turn-${userTurn}`);
    if (ev.isFinal) sttFinalThisTurn = true;
  });

  session.on(E.ConversationItemAdded, ({ item }) => {
    if (!(item instanceof llm.ChatMessage)) return;
    const text = item.textContent ?? '';
    if (item.role === 'user') {
      // Typed input (session.run / text) has no STT events: its message is the transcript.
      if (!sttFinalThisTurn && text) transcript('user', text, true, item.id);
      sttFinalThisTurn = false;
      userTurn++;
    } else if (item.role === 'assistant' && text) {
      transcript('agent', text, true, speechId ?? item.id);
    }
  });

  session.on(E.SpeechCreated, ({ speechHandle }) => {
    speechId = speechHandle.id;
    liveSpeeches.set(speechHandle.id, speechHandle);
    speechHandle.addDoneCallback((h) => liveSpeeches.delete(h.id));
  });

  session.on(E.AgentStateChanged, ({ oldState, newState }) => {
    hub.publish({ type: 'agent_state', state: newState, oldState });
    if (newState === 'speaking' && oldState !== 'speaking') hub.publish({ type: 'agent_speech_started', ...(speechId && { speechId }) });
    if (oldState === 'speaking' && newState !== 'speaking') {
      const interrupted = [...liveSpeeches.values()].some((h) => h.interrupted);
      hub.publish({ type: 'agent_speech_finished', interrupted, ...(speechId && { speechId }) });
    }
  });

  session.on(E.UserStateChanged, ({ oldState, newState }) => hub.publish({ type: 'user_state', state: newState, oldState }));

  session.on(E.MetricsCollected, ({ metrics }) => {
    const event = metricsEvent(metrics);
    if (event) hub.publish(event);
  });

  session.on(E.Error, ({ error }) => {
    // The STT/LLM/TTS/realtime errors wrap the cause; the interruption detector's is the cause.
    const cause = error instanceof Error ? error : error.error;
    hub.publish({ type: 'agent_error', message: `${error.type}: ${cause.message}`.slice(0, 4000), recoverable: error.recoverable });
  });

  session.on(E.Close, ({ error, reason }) => {
    if (error) hub.publish({ type: 'agent_error', message: `session closed (${reason}) after an error`, recoverable: false });
  });

  return {
    ready: (message = 'Voice agent is ready and listening') => hub.publish({ type: 'agent_ready', message }),
    transcriptionOutput: (next: TextOutput | null) => hubTextOutput(next ?? undefined, (text) => transcript('agent', text, false, speechId ?? 'agent'), options.interimEveryMs ?? 250),
  };
}

type TextOutput = NonNullable<voice.AgentSession['output']['transcription']>;
type Captured = Parameters<TextOutput['captureText']>[0];

/**
 * Duck-typed: the framework exports no `TextOutput` base class, but only ever calls these four
 * methods on `session.output.transcription`.
 */
function hubTextOutput(next: TextOutput | undefined, interim: (text: string) => void, everyMs: number): TextOutput {
  let text = '';
  let lastSent = 0;
  const output = {
    nextInChain: next,
    async captureText(piece: Captured): Promise<void> {
      text += typeof piece === 'string' ? piece : piece.text;
      const now = Date.now();
      if (now - lastSent >= everyMs && text.trim()) {
        lastSent = now;
        interim(text);
      }
      await next?.captureText(piece);
    },
    flush(): void {
      // The final text arrives as the committed chat message; here the segment just ends.
      text = '';
      lastSent = 0;
      next?.flush();
    },
    onAttached: () => next?.onAttached(),
    onDetached: () => next?.onDetached(),
  };
  return output as unknown as TextOutput;
}

/** STT, LLM, TTS and end-of-turn latencies; VAD and usage metrics are too chatty for the show's log. */
function metricsEvent(m: lkMetrics.AgentMetrics): KnownEventInput | undefined {
  switch (m.type) {
    case 'stt_metrics':
      return { type: 'metrics', kind: 'stt', durationMs: m.durationMs, audioDurationMs: m.audioDurationMs, streamed: m.streamed };
    case 'llm_metrics':
      return { type: 'metrics', kind: 'llm', ttftMs: m.ttftMs, durationMs: m.durationMs, totalTokens: m.totalTokens, cancelled: m.cancelled, ...(m.speechId && { speechId: m.speechId }) };
    case 'tts_metrics':
      return { type: 'metrics', kind: 'tts', ttfbMs: m.ttfbMs, durationMs: m.durationMs, audioDurationMs: m.audioDurationMs, cancelled: m.cancelled, ...(m.speechId && { speechId: m.speechId }) };
    case 'eou_metrics':
      return { type: 'metrics', kind: 'eou', endOfUtteranceDelayMs: m.endOfUtteranceDelayMs, transcriptionDelayMs: m.transcriptionDelayMs, ...(m.speechId && { speechId: m.speechId }) };
    default:
      return undefined;
  }
}
