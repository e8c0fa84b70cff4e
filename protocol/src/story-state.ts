import type { KnownEvent } from './events.js';
import type { ProductStory, ShowState, ShowStory } from './show-model.js';
import type { RevenueByCurrency, ShowSummaryBody } from './summary-schema.js';

export const emptyStory = (): ShowStory => ({
  toolCalls: 0, toolFailures: 0, turns: 0, alertsRaised: 0, alertsCritical: 0, viewerPeak: 0, viewerSeconds: 0,
  cartAdds: 0, cartRemoves: 0, orders: 0, revenue: {}, perProduct: {},
});

const STORY_TYPES = new Set(['tool_call', 'turn_metrics', 'alert_raised', 'viewer_joined', 'viewer_left', 'show_started', 'cart_event', 'order_placed']);

/**
 * Folds one event into `s.story`, copy-on-write (the reducer never mutates its input state).
 * Runs before the reducer's switch, so `s.viewers` is still the count before this event.
 */
export function applyStory(s: ShowState, e: KnownEvent): void {
  if (!STORY_TYPES.has(e.type)) return;
  // States built before the story existed (or trimmed for viewers) have none yet.
  const t: ShowStory = { ...(s.story ?? emptyStory()) };
  s.story = t;
  switch (e.type) {
    case 'tool_call':
      t.toolCalls += 1;
      if (e.isError) t.toolFailures += 1;
      break;
    case 'turn_metrics':
      t.turns += 1;
      break;
    case 'alert_raised':
      t.alertsRaised += 1;
      if (e.severity === 'critical') t.alertsCritical += 1;
      break;
    case 'show_started':
      t.viewersSince ??= e.timestamp;
      break;
    case 'viewer_joined':
    case 'viewer_left': {
      const since = t.viewersSince ?? s.startedAt ?? e.timestamp;
      t.viewerSeconds += s.viewers * Math.max(0, e.timestamp - since);
      t.viewersSince = Math.max(since, e.timestamp);
      t.viewerPeak = Math.max(t.viewerPeak, e.viewers);
      break;
    }
    case 'cart_event': {
      const p = productOf(t, e.productId);
      if (e.action === 'add_to_cart') {
        t.cartAdds += e.quantity;
        p.adds += e.quantity;
      } else {
        t.cartRemoves += e.quantity;
        p.removes += e.quantity;
      }
      break;
    }
    case 'order_placed':
      t.orders += 1;
      t.revenue = addAmount(t.revenue, e.currency, e.total);
      for (const item of e.items) {
        const p = productOf(t, item.productId);
        p.orders += item.quantity;
        p.revenue = addAmount(p.revenue, e.currency, item.quantity * item.price);
      }
      break;
    default:
      break;
  }
}

/** A copy of the product's entry, put in a copy of `perProduct` (both owned by this event's story). */
function productOf(t: ShowStory, productId: string): ProductStory {
  const prev = Object.hasOwn(t.perProduct, productId) ? t.perProduct[productId]! : { adds: 0, removes: 0, orders: 0, revenue: {} };
  const p = { ...prev };
  t.perProduct = { ...t.perProduct, [productId]: p };
  return p;
}

/** Sums are rounded to 1/10,000 so float noise (0.1 + 0.2) never shows, whatever the currency's decimals. */
const round = (x: number) => Math.round(x * 10_000) / 10_000;
const addAmount = (r: RevenueByCurrency, currency: string, value: number): RevenueByCurrency => ({ ...r, [currency]: round((r[currency] ?? 0) + value) });

export interface SummaryOptions {
  /** Epoch seconds: the end of a show still live, for its duration and viewer average. */
  now: number;
  /** Items still reserved (the hub's reservation book knows; the reducer has no clock). */
  reserved: number;
}

/** The show's summary (docs/show-story.md), from its reduced state. */
export function summarizeShow(state: ShowState, opts: SummaryOptions): ShowSummaryBody {
  const t = state.story ?? emptyStory();
  const start = state.startedAt ?? null;
  const end = state.status === 'ended' ? (state.endedAt ?? null) : null;
  const until = end ?? opts.now;
  const duration = start === null ? null : Math.max(0, until - start);
  const since = t.viewersSince ?? start ?? until;
  const viewerSeconds = t.viewerSeconds + state.viewers * Math.max(0, until - since);
  const ids = [...state.productOrder, ...Object.keys(t.perProduct).filter((id) => !Object.hasOwn(state.products, id))];
  const e2e = state.latency.e2eMs;
  return {
    show: state.show,
    title: state.title ?? null,
    status: state.status,
    startedAt: start,
    endedAt: end,
    durationSeconds: duration === null ? null : round(duration),
    viewers: { peak: t.viewerPeak, average: duration ? round(viewerSeconds / duration) : 0 },
    products: { created: state.productOrder.length, onCarousel: state.carousel.length },
    cart: { adds: t.cartAdds, removes: t.cartRemoves, reserved: opts.reserved },
    orders: { count: t.orders, revenue: t.revenue },
    perProduct: ids.map((productId) => {
      const p = t.perProduct[productId] ?? { adds: 0, removes: 0, orders: 0, revenue: {} };
      return { productId, name: state.products[productId]?.name ?? null, ...p };
    }),
    agent: {
      turns: t.turns,
      toolCalls: t.toolCalls,
      toolFailures: t.toolFailures,
      latencyP50Ms: e2e?.p50 ?? null,
      latencyP95Ms: e2e?.p95 ?? null,
    },
    alerts: { raised: t.alertsRaised, critical: t.alertsCritical },
  };
}
