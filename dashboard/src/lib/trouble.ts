import { SEVERITY_RANK, type OpenAlert, type ShowState } from '@showwire/protocol';

/**
 * Trouble is what the hub says it is: a show's open alerts (`state.alerts`, raised by the hub's
 * alert rules on the event stream, whether or not a dashboard is open). The page guesses
 * nothing from its own clock, so a recoverable error the agent retried is history, not trouble.
 */

/** Labels of the hub's alert rules (hub/src/alerts/rules.ts); an unknown rule shows its name. */
export const RULE_LABEL: Record<string, string> = {
  agent_error: 'Agent failed',
  agent_missing: 'Agent missing',
  stream_stalled: 'Stream stalled',
  agent_silent: 'Agent silent',
  latency_high: 'Slow replies',
  tool_failures: 'Tools failing',
  host_silent: 'Host silent',
  webhook_failing: 'Webhook failing',
};
export const ruleLabel = (rule: string) => RULE_LABEL[rule] ?? rule.replace(/_/g, ' ');

/** A show's open alerts, most urgent first: severity, then the oldest. */
export function rankedAlerts(s: ShowState): OpenAlert[] {
  return [...(s.alerts ?? [])].sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || a.raisedAt - b.raisedAt);
}

export type WallFilter = 'all' | 'live' | 'trouble' | 'ended';

export interface WallCard {
  state: ShowState;
  /** Open alerts, most urgent first. */
  alerts: OpenAlert[];
}

const NONE = 99;

/**
 * The wall's cards: shows with open alerts first (the most severe, then the longest open), then
 * by rolling p95 end-to-end latency (slowest first), then live before the rest, then by title,
 * so a card moves only when its situation does.
 */
/** One card object per state object: a show whose state did not change keeps its card, so a memoized card skips its render. */
const cardOf = new WeakMap<ShowState, WallCard>();
const cardFor = (state: ShowState): WallCard => {
  let card = cardOf.get(state);
  if (!card) cardOf.set(state, (card = { state, alerts: rankedAlerts(state) }));
  return card;
};

export function sortedCards(states: Iterable<ShowState>): WallCard[] {
  const cards = Array.from(states, cardFor);
  const severity = (c: WallCard) => (c.alerts[0] ? SEVERITY_RANK[c.alerts[0].severity] : NONE);
  const age = (c: WallCard) => c.alerts[0]?.raisedAt ?? Infinity;
  const p95 = (c: WallCard) => c.state.latency?.e2eMs?.p95 ?? -1;
  const liveRank = (s: ShowState) => (s.status === 'live' ? 0 : 1);
  return cards.sort(
    (a, b) =>
      severity(a) - severity(b) ||
      age(a) - age(b) ||
      p95(b) - p95(a) ||
      liveRank(a.state) - liveRank(b.state) ||
      (a.state.title ?? a.state.show).localeCompare(b.state.title ?? b.state.show),
  );
}

/** The cards a filter and a title (or show id) search keep, in the order given. */
export function filterCards(cards: readonly WallCard[], filter: WallFilter, search: string): WallCard[] {
  const q = search.trim().toLowerCase();
  return cards.filter(({ state, alerts }) => {
    if (q && !(state.title ?? '').toLowerCase().includes(q) && !state.show.toLowerCase().includes(q)) return false;
    if (filter === 'live') return state.status === 'live';
    if (filter === 'ended') return state.status === 'ended';
    if (filter === 'trouble') return alerts.length > 0;
    return true;
  });
}
