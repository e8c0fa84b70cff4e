import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { llm, voice } from '@livekit/agents';
import { reportTurnMetrics, type TurnMetricsEvent } from '../src/turn-metrics.js';

/**
 * How the framework's metrics become one `turn_metrics` per turn. The events are fed in the order
 * the framework emits them in a turn with a tool call (measured by hand from agent_activity):
 * STT request → EOU (turn committed) → LLM (tool call) → LLM (reply) → TTS → reply message with
 * its e2e latency. The real figures from a real session are checked in show-room.test.ts.
 */
const E = voice.AgentSessionEventTypes;

function harness() {
  const session = new EventEmitter();
  const out: TurnMetricsEvent[] = [];
  reportTurnMetrics(session as unknown as voice.AgentSession, (e) => out.push(e));
  const metrics = (m: Record<string, unknown>) => session.emit(E.MetricsCollected, { metrics: m });
  const reply = (e2eSeconds?: number, extra: Record<string, number> = {}) =>
    session.emit(E.ConversationItemAdded, {
      item: llm.ChatMessage.create({ role: 'assistant', content: 'Done!', metrics: { ...(e2eSeconds !== undefined && { e2eLatency: e2eSeconds }), ...extra } }),
    });
  return { session, out, metrics, reply };
}

const stt = (durationMs: number, streamed = false) => ({ type: 'stt_metrics', durationMs, streamed, audioDurationMs: 3000 });
const eou = (speechId: string, endOfUtteranceDelayMs = 520.4, transcriptionDelayMs = 610) => ({ type: 'eou_metrics', speechId, endOfUtteranceDelayMs, transcriptionDelayMs });
const llmM = (speechId: string, ttftMs: number, cancelled = false) => ({ type: 'llm_metrics', speechId, ttftMs, cancelled });
const tts = (speechId: string, ttfbMs: number) => ({ type: 'tts_metrics', speechId, ttfbMs, cancelled: false });

describe('turn_metrics from the framework metrics', () => {
  it('one event per turn: EOU delay, the STT request, the first LLM call, the first TTS byte, e2e from the reply', () => {
    const h = harness();
    h.metrics(stt(240));
    h.metrics(eou('speech_1'));
    h.metrics(llmM('speech_1', 180));
    h.metrics(llmM('speech_2', 95)); // the tool follow-up: not the turn's first
    h.metrics(tts('speech_3', 130.6));
    h.reply(1.2345);
    assert.deepEqual(h.out, [{ type: 'turn_metrics', turnId: 'speech_1', eouDelayMs: 520, sttMs: 240, llmTtftMs: 180, ttsTtfbMs: 131, e2eMs: 1235 }]);
  });

  it('takes a preemptive LLM call that finished before the turn was committed, by speech id', () => {
    const h = harness();
    h.metrics(llmM('speech_old', 70)); // an invalidated attempt
    h.metrics(llmM('speech_9', 150));
    h.metrics(eou('speech_9'));
    h.reply(0.9, { ttsNodeTtfb: 0.2 });
    assert.equal(h.out.length, 1);
    assert.equal(h.out[0]!.llmTtftMs, 150);
    assert.equal(h.out[0]!.ttsTtfbMs, 200, 'no TTS metrics event: the reply node figure');
  });

  it('a streaming STT has no request time: the transcription delay stands in; a cancelled or negative figure is left out', () => {
    const h = harness();
    h.metrics(stt(0, true));
    h.metrics(eou('s1', 300, 450));
    h.metrics(llmM('s1', -1));
    h.metrics(llmM('s1', 40, true));
    h.reply(0.5);
    assert.deepEqual(h.out, [{ type: 'turn_metrics', turnId: 's1', eouDelayMs: 300, sttMs: 450, e2eMs: 500 }]);
  });

  it('a turn the agent never answered is sent when the next one opens, and the last one when the session closes', () => {
    const h = harness();
    h.metrics(eou('s1'));
    h.metrics(eou('s2'));
    assert.deepEqual(h.out.map((e) => [e.turnId, e.e2eMs]), [['s1', undefined]]);
    h.reply(); // a message without e2e (e.g. a say() not answering the host) does not close the turn
    assert.equal(h.out.length, 1);
    h.session.emit(E.Close, {});
    assert.deepEqual(h.out.map((e) => e.turnId), ['s1', 's2']);
    h.reply(1);
    assert.equal(h.out.length, 2, 'no turn open: nothing more');
  });
});
