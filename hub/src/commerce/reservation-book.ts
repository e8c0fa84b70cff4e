import type { HubEvent, Reservation } from '@showwire/protocol';
import type { LogRecord } from '../log/event-log.js';
import { eventOf, newerThanLast } from '../log/fold.js';

const TYPES = ['cart_event', 'order_placed'];

/** The two stored event types the book folds (the log's TYPES filter guarantees no other). */
type Folded = Extract<HubEvent, { type: 'cart_event' | 'order_placed' }>;

/**
 * Reserved items per show, user and product, folded from `cart_event` and `order_placed` events
 * (so it lives in whatever store the log is, and is rebuilt from it on start). An add reserves
 * until its `reservedUntil` (the cart-event route stamps it; else `receivedAt` + the default
 * minutes) and refreshes the whole line, as carts do; a remove or an order of the same user
 * settles items. Whether a reservation has expired is asked with a clock: expired lines count for
 * nothing, and `dropExpired` frees their memory.
 */
export interface ReservationBook {
  /** Folds stored records (a pipeline consumer, and the hub's start-up pass over the log); records at or before the last folded are skipped. */
  apply(records: readonly LogRecord[]): void;
  get(show: string, userId: string, productId: string, now: number): Reservation | null;
  /** Unexpired items per product of a show. */
  quantities(show: string, now: number): Record<string, number>;
  reserved(show: string, now: number): number;
  dropExpired(now: number): { dropped: number; items: number };
}

export function createReservationBook(defaultMinutes: number): ReservationBook {
  /** show → `${userId}\n${productId}` → reservation */
  const shows = new Map<string, Map<string, Reservation>>();
  const fresh = newerThanLast();

  const key = (userId: string, productId: string) => `${userId}\n${productId}`;
  function lines(show: string) {
    let m = shows.get(show);
    if (!m) shows.set(show, (m = new Map<string, Reservation>()));
    return m;
  }

  function settle(m: Map<string, Reservation>, userId: string, productId: string, quantity: number) {
    const k = key(userId, productId);
    const r = m.get(k);
    if (!r) return;
    r.quantity -= quantity;
    if (r.quantity <= 0) m.delete(k);
  }

  function applyEvent(e: Folded) {
    const m = lines(e.show);
    if (e.type === 'cart_event') {
      const k = key(e.userId, e.productId);
      if (e.action === 'add_to_cart') {
        const prev = m.get(k);
        const held = prev && prev.expiresAt > e.receivedAt ? prev.quantity : 0;
        const expiresAt = typeof e.reservedUntil === 'number' ? e.reservedUntil : e.receivedAt + defaultMinutes * 60;
        m.set(k, { productId: e.productId, userId: e.userId, quantity: held + e.quantity, expiresAt });
      } else {
        settle(m, e.userId, e.productId, e.quantity);
      }
    } else if (e.type === 'order_placed') {
      for (const item of e.items) settle(m, e.userId, item.productId, item.quantity);
    }
  }

  /** Folds appended records; records at or before the last one folded are skipped (load and live may overlap). */
  function apply(records: readonly LogRecord[]) {
    for (const r of records) if (fresh(r.id) && TYPES.includes(r.type)) applyEvent(eventOf(r) as Folded);
  }

  function get(show: string, userId: string, productId: string, now: number): Reservation | null {
    const r = shows.get(show)?.get(key(userId, productId));
    return r && r.expiresAt > now ? { ...r } : null;
  }

  /** Unexpired items per product of a show. */
  function quantities(show: string, now: number): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of shows.get(show)?.values() ?? []) if (r.expiresAt > now) out[r.productId] = (out[r.productId] ?? 0) + r.quantity;
    return out;
  }

  const reserved = (show: string, now: number) => Object.values(quantities(show, now)).reduce((a, b) => a + b, 0);

  function dropExpired(now: number): { dropped: number; items: number } {
    let dropped = 0;
    let items = 0;
    for (const [show, m] of shows) {
      for (const [k, r] of m) {
        if (r.expiresAt > now) continue;
        m.delete(k);
        dropped += 1;
        items += r.quantity;
      }
      if (m.size === 0) shows.delete(show);
    }
    return { dropped, items };
  }

  return { apply, get, quantities, reserved, dropExpired };
}

