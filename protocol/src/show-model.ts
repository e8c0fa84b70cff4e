// The shapes of a show's reduced state, with no behaviour: the reducer (show-state.ts) and the
// story's fold and summary (story-state.ts) both build on them, so neither imports the other's types.
import type { agentStates, alertSeverities, Product, userStates } from './events.js';
import type { RevenueByCurrency } from './summary-schema.js';

export type AgentState = (typeof agentStates)[number];
export type UserState = (typeof userStates)[number];

export interface TranscriptLine {
  /** The hub id of the event that last wrote this line. */
  id: string;
  itemId?: string;
  participant?: string;
  role: 'user' | 'agent';
  text: string;
  final: boolean;
  timestamp: number;
}

/** One entry of the agent-actions feed. */
export type Action =
  | { kind: 'tool_call'; id: string; timestamp: number; name: string; args: Record<string, unknown>; output?: unknown; isError: boolean; durationMs: number }
  | { kind: 'product_created'; id: string; timestamp: number; product: Product }
  | { kind: 'product_added_to_show'; id: string; timestamp: number; productId: string }
  | { kind: 'agent_error'; id: string; timestamp: number; message: string }
  /** A person's control of the agent or room (the audit trail of docs/supervision.md). */
  | { kind: 'control'; id: string; timestamp: number; action: string; by: string; ok: boolean; text?: string; error?: string };

export interface ShowState {
  show: string;
  /** `idle` until the first event; `live` on `show_started` or any activity; `ended` on `show_ended`. */
  status: 'idle' | 'live' | 'ended';
  title?: string;
  thumbnailUrl?: string;
  startedAt?: number;
  endedAt?: number;
  agentState?: AgentState;
  userState?: UserState;
  agentSpeaking: boolean;
  agentReady: boolean;
  /** The agent joined the room and waits for its host (`agent_waiting`); cleared when it is ready or gone. */
  agentWaiting: boolean;
  viewers: number;
  /** `[receivedAt, viewers]` points for a sparkline, oldest first. */
  viewerHistory: Array<[number, number]>;
  transcript: TranscriptLine[];
  products: Record<string, Product>;
  /** Product ids in the order they were created. */
  productOrder: string[];
  /** Product ids on the show's carousel, in the order they were added. */
  carousel: string[];
  actions: Action[];
  lastError?: { message: string; at: number };
  /** The hub clock of the last event, and of the last thing the agent did. */
  lastActivity?: number;
  lastAgentActivity?: number;
  lastEventId?: string;
  eventCount: number;
  /** Why the agent's session last ended (`agent_session_closed`); cleared when an agent is ready again. */
  agentClosed?: { reason: string; at: number };
  /** The last turns' `turn_metrics`, oldest first (at most `turnLimit`). */
  turns: TurnMetrics[];
  /** Rolling percentiles of each latency figure over `turns`. */
  latency: Partial<Record<LatencyField, LatencyStats>>;
  /** Counters over the whole show for its summary: commerce, agent, alerts, viewers (story-state.ts). */
  story: ShowStory;
  /** Alerts raised by the hub and not yet resolved, oldest first (acknowledged ones stay open). */
  alerts: OpenAlert[];
}

export type AlertSeverity = (typeof alertSeverities)[number];

/** An open alert: what `alert_raised` said, and who acknowledged it. */
export interface OpenAlert {
  alertId: string;
  rule: string;
  severity: AlertSeverity;
  message: string;
  /** The hub id of the `alert_raised` event: the moment in the show's timeline. */
  id: string;
  raisedAt: number;
  acknowledged?: { by: string; at: number };
}

/** Severities, most urgent first: the order the wall and the alert list rank by. */
export const SEVERITY_RANK: Record<AlertSeverity, number> = { critical: 0, warning: 1, info: 2 };

export const latencyFields = ['eouDelayMs', 'sttMs', 'llmTtftMs', 'ttsTtfbMs', 'e2eMs'] as const;
export type LatencyField = (typeof latencyFields)[number];
export interface LatencyStats {
  p50: number;
  p95: number;
  /** How many turns the figures are over. */
  count: number;
}
export type TurnMetrics = { id: string; timestamp: number; turnId?: string } & Partial<Record<LatencyField, number>>;

/** One product's part in the show's commerce. Quantities count items. */
export interface ProductStory {
  adds: number;
  removes: number;
  /** Items ordered. */
  orders: number;
  revenue: RevenueByCurrency;
}

/**
 * What the summary needs over the whole show. The reducer's arrays keep only a tail (the hub keeps
 * 50 actions, 50 turns), so these are counters folded as events pass, never recounted from arrays.
 */
export interface ShowStory {
  toolCalls: number;
  toolFailures: number;
  turns: number;
  alertsRaised: number;
  alertsCritical: number;
  viewerPeak: number;
  /** Viewers × seconds up to `viewersSince`: the time-weighted average's numerator. */
  viewerSeconds: number;
  viewersSince?: number;
  cartAdds: number;
  cartRemoves: number;
  orders: number;
  /** Order totals per currency. */
  revenue: RevenueByCurrency;
  perProduct: Record<string, ProductStory>;
}
