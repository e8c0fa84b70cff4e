import type { WebhookAttempt, WebhookDelivery, WebhookDeliveryStatus } from '@showwire/protocol';
import type { Endpoint, EndpointPatch } from './endpoint-store.js';
import type { Outcome } from './outcome.js';

/** What the worker needs to send a delivery. */
export interface DueDelivery {
  id: string;
  msgId: string;
  endpointId: string;
  payload: string;
  attempts: number;
}

/** One finished attempt and what the policy (outcome.ts) made of it. */
export interface Settlement {
  delivery: DueDelivery;
  attempt: WebhookAttempt;
  outcome: Outcome;
}

interface NewEndpoint {
  url: string;
  description: string;
  types?: string[] | null;
  shows?: string[] | null;
  secret: string;
  enabled: boolean;
}

export interface DeliveryQuery {
  endpoint?: string;
  status?: WebhookDeliveryStatus;
  before?: string;
  limit: number;
}

/**
 * The webhook endpoints and their durable outbox, in the log's store (SQLite: sqlite-store.ts;
 * Redis, for many hubs: redis-store.ts), run through one conformance suite. The outbox rows of
 * each stored event are written with the event (each store's own append hook); everything else
 * goes through here. A claimed delivery is leased to this hub: no one claims it again until it is
 * settled or its lease ends (a dead hub's claims are taken over; a restarted hub's too).
 */
export interface WebhookStore {
  listEndpoints(): Promise<Endpoint[]>;
  getEndpoint(id: string): Promise<Endpoint | undefined>;
  createEndpoint(input: NewEndpoint): Promise<Endpoint>;
  /** Disabling fails the endpoint's pending deliveries with it, as one change. */
  updateEndpoint(id: string, patch: EndpointPatch, reason?: string): Promise<Endpoint | undefined>;
  rotateSecret(id: string, secret: string, graceSeconds: number): Promise<Endpoint | undefined>;
  /** Forgets the endpoint and its deliveries. */
  removeEndpoint(id: string): Promise<boolean>;

  /**
   * Per endpoint: deliveries due now and unclaimed, counted up to `atMost` (the scheduler never
   * needs more than an endpoint may have in flight, and counting a backlog of thousands on every
   * round cost a millisecond per delivery), and the next future due time (or lease end).
   */
  dueOf(endpointIds: readonly string[], now: number, atMost: number): Promise<Array<{ due: number; nextAt: number | undefined }>>;
  /** Leases up to `n` due deliveries of one endpoint, oldest due first. */
  claim(endpointId: string, n: number, now: number, leaseSeconds: number): Promise<DueDelivery[]>;
  /**
   * Leases one pending delivery of the endpoint whatever its due time (the breaker's probe):
   * `preferId` when it is still pending and unclaimed, else the earliest.
   */
  claimProbe(endpointId: string, preferId: string | undefined, now: number, leaseSeconds: number): Promise<DueDelivery | undefined>;
  /** Makes every unclaimed pending delivery of the endpoint due at once, in message order; answers how many moved. */
  releaseBacklog(endpointId: string, now: number): Promise<number>;
  /** Gives claims back unattempted (the hub is shutting down): due again as they were. */
  unclaim(deliveries: readonly DueDelivery[]): Promise<void>;
  /** Records the attempts and applies their outcomes, endpoints included; answers the endpoints it disabled. */
  settle(batch: readonly Settlement[]): Promise<Endpoint[]>;

  /** A message that is not in the log (the test event), for one endpoint, due now. */
  enqueueMessage(endpointId: string, msgId: string, type: string, payload: string, now: number): Promise<WebhookDelivery>;
  get(id: string): Promise<WebhookDelivery | undefined>;
  payload(id: string): Promise<string | undefined>;
  attempts(id: string): Promise<WebhookAttempt[]>;
  /** Newest first. */
  list(q: DeliveryQuery): Promise<WebhookDelivery[]>;
  /** Queues a delivery again now, with a fresh retry schedule and the same webhook-id. */
  redeliver(id: string, now: number): Promise<boolean>;
  /** Queues again every failed delivery of an endpoint created at or after `since`. */
  recover(endpointId: string, since: number, now: number): Promise<number>;
  /** Forgets settled deliveries created before `before`; pending ones stay. */
  prune(before: number): Promise<number>;
  stats(): Promise<{ depth: number; oldest: number | null }>;
  close(): Promise<void>;
}
