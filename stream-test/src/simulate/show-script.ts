import type { EventInput } from '@showwire/protocol';
import { agentReplies, carouselAsks, catalog, hostAsides, showThemes, viewerNames } from './catalog.js';

/** A seeded PRNG (mulberry32): the same `--seed` plays the same shows. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Draft = { type: string; [field: string]: unknown };

/**
 * One show, as the events its agent would post: the host talks, the agent answers and creates
 * products, the host asks for them on the carousel, viewers come and go. The first round plays
 * every known type (an agent error included), so a short run already shows them all; later rounds
 * vary. Endless: the runner decides when the show ends (`showEnded`).
 */
export function* showScript(show: string, index: number, random: () => number): Generator<Draft, never> {
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const title = showThemes[index % showThemes.length]!;
  const host = `host_${show}`;
  const agent = 'agent_showwire';
  let viewers = 0;
  const present: string[] = [];

  const join = (): Draft => {
    const name = `${pick(viewerNames)}_${Math.floor(random() * 100)}`;
    present.push(name);
    return { type: 'viewer_joined', viewers: ++viewers, participant: name };
  };
  const leave = (): Draft => {
    const name = present.splice(Math.floor(random() * present.length), 1)[0];
    return { type: 'viewer_left', viewers: --viewers, participant: name };
  };
  const hostSays = (text: string): Draft[] => [
    { type: 'user_state', state: 'speaking', oldState: 'listening' },
    { type: 'transcript', text: text.split(' ').slice(0, 4).join(' '), participant: host, role: 'user', final: false },
    { type: 'transcript', text, participant: host, role: 'user', final: true },
    { type: 'user_state', state: 'listening', oldState: 'speaking' },
  ];
  const agentSays = (text: string, interrupted: boolean): Draft[] => [
    { type: 'agent_state', state: 'speaking', oldState: 'thinking' },
    { type: 'agent_speech_started' },
    { type: 'transcript', text, participant: agent, role: 'agent', final: true },
    { type: 'agent_speech_finished', interrupted },
    { type: 'agent_state', state: 'listening', oldState: 'speaking' },
  ];

  yield { type: 'show_started', title };
  yield { type: 'show_metadata', title, thumbnailUrl: `https://picsum.photos/seed/${encodeURIComponent(show)}/640/360` };
  yield { type: 'agent_state', state: 'initializing' };
  // As a real agent does: dispatched, it says it waits for its host, then links to them.
  yield { type: 'agent_waiting', host, graceS: 120 };
  yield { type: 'agent_ready', message: 'Voice agent is ready and listening' };
  yield { type: 'agent_state', state: 'listening', oldState: 'initializing' };
  yield join();
  yield join();
  let orders = 0;

  for (let round = 0; ; round++) {
    const item = catalog[(index * 3 + round) % catalog.length]!;
    const productId = `${show}-p${round + 1}`;
    if (round > 0 && random() < 0.5) yield* hostSays(pick(hostAsides));
    yield* hostSays(`Next up, ${item.pitch}. It is ${item.price} ${item.currency}.`);
    yield { type: 'agent_state', state: 'thinking', oldState: 'listening' };
    const args = { name: item.name, price: item.price, currency: item.currency, description: item.description };
    yield { type: 'tool_call', name: 'create_product', args, output: { productId }, isError: false, durationMs: Math.round(150 + random() * 600) };
    yield { type: 'product_created', product: { id: productId, ...args, imageUrl: `https://picsum.photos/seed/${productId}/400/400` } };
    yield { type: 'metrics', kind: 'llm', ttftMs: Math.round(200 + random() * 500), promptTokens: Math.round(600 + random() * 900), completionTokens: Math.round(20 + random() * 80) };
    if (round === 0 || random() < 0.1) {
      yield { type: 'agent_error', message: 'text-to-speech request timed out; retrying', recoverable: true, code: 'tts_timeout' };
    }
    yield* agentSays(pick(agentReplies)(item), round > 0 && random() < 0.15);
    yield turn(random);
    yield* hostSays(pick(carouselAsks));
    yield { type: 'agent_state', state: 'thinking', oldState: 'listening' };
    yield { type: 'tool_call', name: 'add_to_carousel', args: { productId }, output: { ok: true }, isError: false, durationMs: Math.round(40 + random() * 200) };
    yield { type: 'product_added_to_show', productId };
    yield* agentSays(`${item.name} is on the carousel now.`, false);
    yield turn(random);
    // Viewers shop what is on the carousel: some add it, a few change their minds, some buy.
    const buyer = present.length ? pick(present) : `${pick(viewerNames)}_0`;
    const quantity = 1 + Math.floor(random() * 2);
    yield { type: 'cart_event', productId, action: 'add_to_cart', quantity, userId: buyer };
    if (round === 0 || random() < 0.2) yield { type: 'cart_event', productId, action: 'remove_from_cart', quantity: 1, userId: buyer };
    if (round === 0 || random() < 0.5) {
      const items = [{ productId, quantity, price: item.price }];
      yield { type: 'order_placed', orderId: `${show}-o${++orders}`, userId: buyer, items, total: Math.round(item.price * quantity * 100) / 100, currency: item.currency };
    }
    // Viewers drift: more join than leave, so the count climbs like a show warming up.
    const moves = 1 + Math.floor(random() * 3);
    for (let i = 0; i < moves; i++) yield present.length > 1 && (round === 0 || random() < 0.35) && i === 0 ? leave() : join();
  }
}

/** One conversational turn's latency figures, around what a healthy agent shows. */
function turn(random: () => number): Draft {
  const eouDelayMs = Math.round(200 + random() * 400);
  const sttMs = Math.round(150 + random() * 250);
  const llmTtftMs = Math.round(250 + random() * 600);
  const ttsTtfbMs = Math.round(120 + random() * 300);
  return { type: 'turn_metrics', eouDelayMs, sttMs, llmTtftMs, ttsTtfbMs, e2eMs: eouDelayMs + llmTtftMs + ttsTtfbMs };
}

/** How a simulated show ends: its agent's session closes, then the show. */
export const showEnded = (): Draft[] => [
  { type: 'agent_session_closed', reason: 'room ended' },
  { type: 'show_ended', reason: 'the simulated show is over' },
];

/** Stamps what every event carries: a producer clock and a per-show sequence (lets listeners see gaps). */
export function stamp(draft: Draft, seq: number): EventInput {
  return { ...draft, timestamp: Date.now() / 1000, seq };
}
