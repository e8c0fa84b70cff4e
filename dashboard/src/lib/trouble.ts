import { SEVERITY_RANK, type OpenAlert, type ShowState } from '@showwire/protocol';
import { formatAge } from './format.js';

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

/** Shows that are over, apart from the ones still on: the wall keeps the ended ones in their own section. */
export function splitEnded(cards: readonly WallCard[]): { current: WallCard[]; ended: WallCard[] } {
  const current: WallCard[] = [];
  const ended: WallCard[] = [];
  for (const c of cards) (c.state.status === 'ended' ? ended : current).push(c);
  return { current, ended };
}

/**
 * Rules whose message counts the time since something stopped (`no events for 61 s`): the hub
 * raised it once, so the page adds what has passed since to keep the text true while it is open.
 */
const AGING_RULES: ReadonlySet<string> = new Set(['stream_stalled', 'agent_silent', 'host_silent', 'agent_missing']);

export function liveAlertMessage(a: Pick<OpenAlert, 'rule' | 'message' | 'raisedAt'>, now: number): string {
  if (!AGING_RULES.has(a.rule)) return a.message;
  return a.message.replace(/(\d+(?:\.\d+)?) s\b/, (_, n: string) => formatAge(Number(n) + Math.max(0, now - a.raisedAt)));
}

/**
 * The hub's word that the show's live picture is out of date: its stream stalled or its agent is
 * missing. Then the last agent state is history, shown as "unknown since" the last event.
 */
export function staleSince(card: WallCard): number | undefined {
  if (card.state.status !== 'live') return undefined;
  const stale = card.alerts.some((a) => a.rule === 'stream_stalled' || a.rule === 'agent_missing');
  return stale ? (card.state.lastActivity ?? card.alerts[0]!.raisedAt) : undefined;
}

/** What the agent is doing as far as its events say: its state, `ready` once it joined and said nothing more, or `unknown`. */
export const agentNow = (s: ShowState): string => (s.agentSpeaking ? 'speaking' : (s.agentState ?? (s.agentReady ? 'ready' : 'unknown')));

export type SortKey = 'triage' | 'title' | 'status' | 'alerts' | 'agent' | 'viewers' | 'p95' | 'age';
export interface WallSort {
  key: SortKey;
  /** Descending: the biggest (or most urgent) first. */
  desc: boolean;
}

const STATUS_RANK: Record<string, number> = { live: 0, idle: 1, ended: 2 };
const sortValue: Record<Exclude<SortKey, 'triage'>, (c: WallCard) => number | string> = {
  title: (c) => (c.state.title || c.state.show).toLowerCase(),
  status: (c) => STATUS_RANK[c.state.status] ?? 1,
  alerts: (c) => (c.alerts[0] ? 10 * (3 - SEVERITY_RANK[c.alerts[0].severity]) + c.alerts.length : 0),
  agent: (c) => (staleSince(c) !== undefined ? 'unknown' : agentNow(c.state)),
  viewers: (c) => c.state.viewers,
  p95: (c) => c.state.latency?.e2eMs?.p95 ?? -1,
  // Seconds since the last event grow as the last activity gets older: sort by the activity itself.
  age: (c) => -(c.state.lastActivity ?? 0),
};

/** The cards in the order the chosen column asks for; `triage` keeps sortedCards' order (or reverses it). */
export function sortBy(cards: readonly WallCard[], sort: WallSort): WallCard[] {
  if (sort.key === 'triage') return sort.desc ? [...cards] : [...cards].reverse();
  const value = sortValue[sort.key];
  const dir = sort.desc ? -1 : 1;
  // A stable sort over the triage order: equal values keep the most urgent first.
  return [...cards].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    return (typeof x === 'string' ? x.localeCompare(y as string) : x - (y as number)) * dir;
  });
}
