import type { OperationDocs } from '../openapi/document-routes.js';

/** The commerce routes' words in the OpenAPI document (tag: Commerce). */
export const commerceDocs: OperationDocs = {
  'POST /api/shows/:showId/cart-event': {
    summary: 'Add to or remove from a cart',
    description: 'Stores a `cart_event`. A viewer posts for itself (the user is its token\'s subject); a service or admin names `userId`. An add reserves the quantity for HUB_RESERVATION_MINUTES. 409 `show_ended` for an add to an ended show.',
  },
  'GET /api/reservations/quantities': {
    summary: 'Reserved quantity per product',
    description: 'What open cart reservations hold in `?show=`, per product. Readers of the show, or a service covering it.',
  },
  'DELETE /api/reservations/cleanup': {
    summary: 'Drop expired reservations',
    description: 'Frees reservations past their time now (the hub also does it on a timer) and says how many. Admin, staff or service.',
  },
  'GET /api/shows/:showId/summary': {
    summary: "A show's summary",
    description: 'Duration, peak and average viewers, products, cart adds and removes, orders and revenue per currency (never summed across currencies), per-product figures, agent latency and alerts. The same body as the `show_summary` event. Hosts of the show, staff and admin; 404 for a show with no events.',
  },
  'POST /api/shows/batch-revenue': {
    summary: 'Revenue of many shows',
    description: 'Revenue per currency for each of `showIds`. Every show must be readable by the token (403 otherwise); viewers get 403.',
  },
};
