import { llm, voice, type metrics as lkMetrics } from '@livekit/agents';

/**
 * One `turn_metrics` event per conversational turn, from the framework's own measurements:
 *
 * - `eouDelayMs`: the EOU metrics' end-of-utterance delay (end of the host's speech → turn committed);
 * - `sttMs`: the last STT request's duration before the turn (the transcriptions endpoint); a
 *   streaming STT reports no request time, so then the EOU metrics' transcription delay;
 * - `llmTtftMs`: time to first token of the turn's first LLM call (the one that answers the host;
 *   tool-call follow-ups come after it);
 * - `ttsTtfbMs`: time to first byte of the turn's first TTS request;
 * - `e2eMs`: end of the host's speech → first agent audio, as the framework measures it on the
 *   reply the host hears (it carries the user's timing through tool calls).
 *
 * A turn opens at its EOU metrics and is sent when the reply's message is committed, when the next
 * turn opens (a turn the agent never answered), or when the session closes.
 */
export type TurnMetricsEvent = {
  type: 'turn_metrics';
  turnId?: string;
  eouDelayMs?: number;
  sttMs?: number;
  llmTtftMs?: number;
  ttsTtfbMs?: number;
  e2eMs?: number;
};

type Source = Pick<voice.AgentSession, 'on'>;
const E = voice.AgentSessionEventTypes;
const ms = (seconds: number | undefined) => (seconds === undefined || seconds < 0 ? undefined : Math.round(seconds * 1000));
const nonNegative = (v: number) => (v >= 0 ? Math.round(v) : undefined);

export function reportTurnMetrics(session: Source, publish: (event: TurnMetricsEvent) => void): void {
  let sttMs: number | undefined;
  let open: TurnMetricsEvent | undefined;
  // With preemptive generation the turn's first LLM call can finish before the turn is
  // committed: its metrics are kept by speech id and picked up when the turn opens.
  const llmBySpeech = new Map<string, number>();

  const send = () => {
    if (!open) return;
    const event = Object.fromEntries(Object.entries(open).filter(([, v]) => v !== undefined)) as TurnMetricsEvent;
    open = undefined;
    publish(event);
  };

  session.on(E.MetricsCollected, ({ metrics }: { metrics: lkMetrics.AgentMetrics }) => {
    switch (metrics.type) {
      case 'stt_metrics':
        if (!metrics.streamed && metrics.durationMs > 0) sttMs = metrics.durationMs;
        break;
      case 'eou_metrics': {
        send();
        const first = metrics.speechId !== undefined ? llmBySpeech.get(metrics.speechId) : undefined;
        open = {
          type: 'turn_metrics',
          turnId: metrics.speechId,
          eouDelayMs: nonNegative(metrics.endOfUtteranceDelayMs),
          sttMs: sttMs ?? nonNegative(metrics.transcriptionDelayMs),
          llmTtftMs: first,
        };
        sttMs = undefined;
        llmBySpeech.clear();
        break;
      }
      case 'llm_metrics': {
        const ttft = nonNegative(metrics.ttftMs);
        if (ttft === undefined || metrics.cancelled) break;
        if (open) open.llmTtftMs ??= ttft;
        else if (metrics.speechId && llmBySpeech.size < 16) llmBySpeech.set(metrics.speechId, ttft);
        break;
      }
      case 'tts_metrics':
        if (open && !metrics.cancelled) open.ttsTtfbMs ??= nonNegative(metrics.ttfbMs);
        break;
      default:
        break;
    }
  });

  session.on(E.ConversationItemAdded, ({ item }) => {
    if (!open || !(item instanceof llm.ChatMessage) || item.role !== 'assistant') return;
    const m = item.metrics ?? {};
    if (m.e2eLatency === undefined) return;
    open.e2eMs = ms(m.e2eLatency);
    // The reply's own node figures, when no metrics event gave them (e.g. TTS metrics still in flight).
    open.llmTtftMs ??= ms(m.llmNodeTtft);
    open.ttsTtfbMs ??= ms(m.ttsNodeTtfb);
    send();
  });

  session.on(E.Close, send);
}
