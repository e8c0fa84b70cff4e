import type { ShowState } from '@showwire/protocol';

export type Trouble = 'agent_error' | 'stream_stalled' | 'agent_silent' | 'ended';

/** A live show with no event at all for this long has a stalled stream (viewer counts and transcripts normally keep coming). */
export const STALLED_AFTER_S = 30;
/** A live show whose agent has done nothing for this long: it may be stuck or disconnected. */
export const SILENT_AFTER_S = 60;

const RANK: Record<Trouble, number> = { agent_error: 4, stream_stalled: 3, agent_silent: 2, ended: 1 };

export const TROUBLE_LABEL: Record<Trouble, string> = {
  agent_error: 'Agent error',
  stream_stalled: 'Stream stalled',
  agent_silent: 'Agent silent',
  ended: 'Ended',
};

/** What is wrong with a show at hub time `now` (epoch seconds), worst first. */
export function troubles(s: ShowState, now: number): Trouble[] {
  const out: Trouble[] = [];
  if (s.lastError) out.push('agent_error');
  if (s.status === 'live') {
    const last = s.lastActivity ?? s.startedAt;
    if (last !== undefined && now - last > STALLED_AFTER_S) out.push('stream_stalled');
    const agent = s.lastAgentActivity ?? s.startedAt;
    if (agent !== undefined && now - agent > SILENT_AFTER_S) out.push('agent_silent');
  }
  if (s.status === 'ended') out.push('ended');
  return out;
}

export const troubleScore = (t: Trouble[]) => t.reduce((m, x) => Math.max(m, RANK[x]), 0);

export type WallFilter = 'all' | 'live' | 'trouble' | 'ended';

export interface WallCard {
  state: ShowState;
  troubles: Trouble[];
}

/**
 * The wall's cards, worst trouble first, then live before the rest, then by title, so a card
 * only moves when its situation changes. Troubles are worked out once per show.
 */
export function sortedCards(states: Iterable<ShowState>, now: number): WallCard[] {
  const cards = Array.from(states, (state) => ({ state, troubles: troubles(state, now) }));
  const serious = (c: WallCard) => troubleScore(c.troubles.filter((x) => x !== 'ended'));
  const liveRank = (s: ShowState) => (s.status === 'live' ? 0 : 1);
  return cards.sort(
    (a, b) =>
      serious(b) - serious(a) ||
      liveRank(a.state) - liveRank(b.state) ||
      (a.state.title ?? a.state.show).localeCompare(b.state.title ?? b.state.show),
  );
}

/** The cards a filter and a title (or show id) search keep, in the order given. */
export function filterCards(cards: readonly WallCard[], filter: WallFilter, search: string): WallCard[] {
  const q = search.trim().toLowerCase();
  return cards.filter(({ state, troubles: t }) => {
    if (q && !(state.title ?? '').toLowerCase().includes(q) && !state.show.toLowerCase().includes(q)) return false;
    if (filter === 'live') return state.status === 'live';
    if (filter === 'ended') return state.status === 'ended';
    if (filter === 'trouble') return t.some((x) => x !== 'ended');
    return true;
  });
}
