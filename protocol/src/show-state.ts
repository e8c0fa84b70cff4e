import type { HubEvent, KnownEvent, Product } from './events.js';
import { latencyFields, type LatencyField, type LatencyStats, type ShowState, type TranscriptLine, type TurnMetrics } from './show-model.js';
import { applyStory, emptyStory } from './story-state.js';

export interface ReduceOptions {
  /** Keep at most this many transcript lines (the hub keeps a tail; the dashboard keeps all). */
  transcriptLimit?: number;
  /** Keep at most this many actions. */
  actionLimit?: number;
  /** Keep at most this many viewer-count points. */
  viewerHistoryLimit?: number;
  /** Keep (and compute percentiles over) at most this many turns. */
  turnLimit?: number;
}

const DEFAULTS: Required<ReduceOptions> = { transcriptLimit: Infinity, actionLimit: 1000, viewerHistoryLimit: 720, turnLimit: 50 };

export function emptyShow(show: string): ShowState {
  return {
    show,
    status: 'idle',
    agentSpeaking: false,
    agentReady: false,
    agentWaiting: false,
    viewers: 0,
    viewerHistory: [],
    transcript: [],
    products: {},
    productOrder: [],
    carousel: [],
    actions: [],
    eventCount: 0,
    turns: [],
    latency: {},
    story: emptyStory(),
    alerts: [],
  };
}

/** The pure reducer: the state after one event. */
export function reduceShow(state: ShowState | undefined, event: HubEvent, options?: ReduceOptions): ShowState {
  return reduceShowMany(state, [event], options);
}

/**
 * The state after a batch of events. Arrays are copied at most once per batch, so replaying
 * 20,000 events or applying a burst costs linear time, yet the input state is never mutated.
 */
export function reduceShowMany(state: ShowState | undefined, events: readonly HubEvent[], options?: ReduceOptions): ShowState {
  const opts = { ...DEFAULTS, ...options };
  const first = events[0];
  if (!first) return state ?? emptyShow('default');
  const draft: ShowState = { ...(state ?? emptyShow(first.show)) };
  const copied = new Set<keyof ShowState>();
  const own = <K extends OwnedArray>(key: K): ShowState[K] => {
    if (!copied.has(key)) {
      draft[key] = [...draft[key]] as ShowState[K];
      copied.add(key);
    }
    return draft[key];
  };
  let productsCopied = false;
  const products = () => {
    if (!productsCopied) {
      draft.products = { ...draft.products };
      productsCopied = true;
    }
    return draft.products;
  };

  for (const event of events) apply(draft, event as KnownEvent, own, products);

  trim(draft, 'transcript', opts.transcriptLimit, own);
  trim(draft, 'actions', opts.actionLimit, own);
  trim(draft, 'viewerHistory', opts.viewerHistoryLimit, own);
  trim(draft, 'turns', opts.turnLimit, own);
  // Percentiles are recomputed once per batch, and only when a turn came in.
  if (copied.has('turns')) draft.latency = latencyOf(draft.turns);
  return draft;
}

type OwnedArray = 'transcript' | 'actions' | 'viewerHistory' | 'productOrder' | 'carousel' | 'turns' | 'alerts';
type Own = <K extends OwnedArray>(key: K) => ShowState[K];

function trim(draft: ShowState, key: 'transcript' | 'actions' | 'viewerHistory' | 'turns', limit: number, own: Own) {
  if (draft[key].length > limit) own(key).splice(0, draft[key].length - limit);
}

const AGENT_TYPES = new Set([
  'agent_speech_started', 'agent_speech_finished', 'agent_state', 'agent_ready', 'agent_waiting', 'agent_error', 'tool_call', 'product_created', 'product_added_to_show',
  'turn_metrics', 'agent_session_closed',
]);

function apply(s: ShowState, e: KnownEvent, own: Own, products: () => Record<string, Product>) {
  s.eventCount += 1;
  s.lastEventId = e.id;
  s.lastActivity = e.receivedAt;
  if (AGENT_TYPES.has(e.type) || (e.type === 'transcript' && e.role === 'agent')) s.lastAgentActivity = e.receivedAt;
  if (e.type !== 'show_ended' && s.status === 'idle') {
    s.status = 'live';
    s.startedAt ??= e.timestamp;
  }
  applyStory(s, e);

  switch (e.type) {
    case 'show_started':
      s.status = 'live';
      s.startedAt = e.timestamp;
      s.endedAt = undefined;
      if (e.title) s.title = e.title;
      break;
    case 'show_ended':
      s.status = 'ended';
      s.endedAt = e.timestamp;
      s.agentSpeaking = false;
      break;
    case 'show_metadata':
      if (e.title !== undefined) s.title = e.title;
      if (e.thumbnailUrl !== undefined) s.thumbnailUrl = e.thumbnailUrl;
      break;
    case 'viewer_joined':
    case 'viewer_left':
      s.viewers = e.viewers;
      own('viewerHistory').push([e.receivedAt, e.viewers]);
      break;
    case 'agent_state':
      s.agentState = e.state;
      s.agentSpeaking = e.state === 'speaking';
      break;
    case 'user_state':
      s.userState = e.state;
      break;
    case 'agent_speech_started':
      s.agentSpeaking = true;
      break;
    case 'agent_speech_finished':
      s.agentSpeaking = false;
      break;
    case 'agent_waiting':
      s.agentWaiting = true;
      s.agentClosed = undefined;
      break;
    case 'agent_ready':
      s.agentReady = true;
      s.agentWaiting = false;
      s.agentClosed = undefined;
      s.lastError = undefined;
      break;
    case 'agent_session_closed':
      s.agentReady = false;
      s.agentWaiting = false;
      s.agentSpeaking = false;
      s.agentState = undefined;
      s.agentClosed = { reason: e.reason, at: e.receivedAt };
      break;
    case 'turn_metrics': {
      const turn: TurnMetrics = { id: e.id, timestamp: e.timestamp, ...(e.turnId !== undefined && { turnId: e.turnId }) };
      for (const f of latencyFields) if (e[f] !== undefined) turn[f] = e[f];
      own('turns').push(turn);
      break;
    }
    case 'control':
      own('actions').push({
        kind: 'control', id: e.id, timestamp: e.timestamp, action: e.action, by: e.by, ok: e.ok,
        ...(e.text !== undefined && { text: e.text }), ...(e.error !== undefined && { error: e.error }),
      });
      break;
    case 'alert_raised':
      if (!s.alerts.some((a) => a.alertId === e.alertId)) {
        own('alerts').push({ alertId: e.alertId, rule: e.rule, severity: e.severity, message: e.message, id: e.id, raisedAt: e.receivedAt });
      }
      break;
    case 'alert_resolved': {
      const i = s.alerts.findIndex((a) => a.alertId === e.alertId);
      if (i >= 0) own('alerts').splice(i, 1);
      break;
    }
    case 'alert_acknowledged': {
      const i = s.alerts.findIndex((a) => a.alertId === e.alertId);
      if (i >= 0) own('alerts')[i] = { ...s.alerts[i]!, acknowledged: { by: e.by, at: e.receivedAt } };
      break;
    }
    case 'agent_error':
      s.lastError = { message: e.message, at: e.receivedAt };
      own('actions').push({ kind: 'agent_error', id: e.id, timestamp: e.timestamp, message: e.message });
      break;
    case 'transcript':
      applyTranscript(s, e, own);
      break;
    case 'tool_call':
      own('actions').push({
        kind: 'tool_call', id: e.id, timestamp: e.timestamp, name: e.name, args: e.args, output: e.output, isError: e.isError, durationMs: e.durationMs,
      });
      break;
    case 'product_created': {
      const known = Object.hasOwn(s.products, e.product.id);
      products()[e.product.id] = e.product;
      if (!known) own('productOrder').push(e.product.id);
      own('actions').push({ kind: 'product_created', id: e.id, timestamp: e.timestamp, product: e.product });
      break;
    }
    case 'product_added_to_show':
      if (!s.carousel.includes(e.productId)) own('carousel').push(e.productId);
      own('actions').push({ kind: 'product_added_to_show', id: e.id, timestamp: e.timestamp, productId: e.productId });
      break;
    default:
      break;
  }
}

/** Nearest-rank percentiles of each figure over the kept turns (turns without the figure don't count). */
export function latencyOf(turns: readonly TurnMetrics[]): Partial<Record<LatencyField, LatencyStats>> {
  const out: Partial<Record<LatencyField, LatencyStats>> = {};
  for (const f of latencyFields) {
    const values = turns.map((t) => t[f]).filter((v): v is number => v !== undefined).sort((a, b) => a - b);
    if (values.length) out[f] = { p50: percentile(values, 50), p95: percentile(values, 95), count: values.length };
  }
  return out;
}

/** Nearest-rank percentile of sorted values: the smallest value with at least p% of values at or below it. */
export function percentile(sorted: readonly number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/**
 * Interim text settles into final text: an interim or final line replaces the open (non-final)
 * line of the same `itemId`, or, without one, the open line of the same speaker.
 */
function applyTranscript(s: ShowState, e: Extract<KnownEvent, { type: 'transcript' }>, own: Own) {
  const role = e.role ?? 'user';
  const line: TranscriptLine = {
    id: e.id, role, text: e.text, final: e.final, timestamp: e.timestamp,
    ...(e.itemId !== undefined && { itemId: e.itemId }),
    ...(e.participant !== undefined && { participant: e.participant }),
  };
  const t = s.transcript;
  // Only the last few lines can still be open; looking further back would make long shows quadratic.
  for (let i = t.length - 1; i >= Math.max(0, t.length - 8); i--) {
    const prev = t[i]!;
    const same = e.itemId !== undefined ? prev.itemId === e.itemId : prev.itemId === undefined && prev.role === role && prev.participant === e.participant;
    if (same && !prev.final) {
      own('transcript')[i] = line;
      return;
    }
  }
  own('transcript').push(line);
}

/**
 * Where the show's agent is, in a few words, for the wall and the studio: a waiting agent is not
 * a missing one. `kind` is for styling and tests.
 */
export function agentStatus(s: Pick<ShowState, 'agentReady' | 'agentWaiting' | 'agentClosed' | 'agentState'>): { kind: 'ready' | 'waiting' | 'left' | 'none'; label: string } {
  if (s.agentReady) return { kind: 'ready', label: s.agentState ? `Agent ${s.agentState}` : 'Agent ready' };
  if (s.agentWaiting) return { kind: 'waiting', label: 'Agent waiting for the host' };
  if (s.agentClosed) return { kind: 'left', label: `Agent left (${s.agentClosed.reason})` };
  return { kind: 'none', label: 'No agent' };
}
