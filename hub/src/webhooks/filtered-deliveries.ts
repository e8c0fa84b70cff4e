import type { WebhookDelivery, WebhookDeliveryStatus } from '@showwire/protocol';

type PageQuery = { endpoint?: string; status?: WebhookDeliveryStatus; before?: string; limit: number };

/** At most this many stored deliveries are read for one filtered page; `next` resumes after them. */
const SCAN_LIMIT = 10_000;

/**
 * A page of the delivery log filtered by what the store cannot filter itself (event type, show,
 * message id): read the store's pages newest first and keep what matches, until the page is full
 * or SCAN_LIMIT rows were read. `next` is where the reading stopped, so "older" always goes on from
 * there and no match is skipped; it is null once the log is exhausted.
 */
export async function filteredDeliveries(
  list: (q: PageQuery) => Promise<WebhookDelivery[]> | WebhookDelivery[],
  q: PageQuery,
  keep: (d: WebhookDelivery) => boolean,
): Promise<{ deliveries: WebhookDelivery[]; next: string | null }> {
  const found: WebhookDelivery[] = [];
  let before = q.before;
  let scanned = 0;
  while (scanned < SCAN_LIMIT) {
    const rows = await list({ ...q, ...(before !== undefined && { before }), limit: 1000 });
    for (const d of rows) {
      scanned++;
      before = d.id;
      if (!keep(d)) continue;
      found.push(d);
      if (found.length === q.limit) return { deliveries: found, next: d.id };
    }
    if (rows.length < 1000) return { deliveries: found, next: null };
  }
  return { deliveries: found, next: before ?? null };
}
