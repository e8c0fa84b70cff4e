import type { FastifyBaseLogger } from 'fastify';
import { DEFAULT_SHOW, type EventInput, type OpenAlert } from '@showwire/protocol';
import type { Principal } from '../auth/access.js';
import type { Config } from '../config.js';
import type { LogRecord } from '../log/event-log.js';
import { eventOf } from '../log/fold.js';
import type { Consumer, Derived } from '../pipeline/consumer.js';
import { conditions, newWatch, observe, type AlertThresholds, type Condition, type ShowWatch } from './rules.js';

type Publish = (events: Array<EventInput & { show: string }>, principal: Principal) => Promise<unknown>;

/** Alert events are stamped `admin:alerts` as their source; only the hub writes them. */
const ALERTS_PRINCIPAL: Principal = { sub: 'alerts', role: 'admin', shows: null, hub: true };

function thresholdsOf(config: Config): AlertThresholds {
  return {
    agentSilentSeconds: config.HUB_ALERT_AGENT_SILENT_MS / 1000,
    latencyP95Ms: config.HUB_ALERT_LATENCY_P95_MS,
    latencyMinTurns: config.HUB_ALERT_LATENCY_MIN_TURNS,
    latencyTurns: config.HUB_ALERT_LATENCY_TURNS,
    toolFailures: config.HUB_ALERT_TOOL_FAILURES,
    toolFailureWindowSeconds: config.HUB_ALERT_TOOL_FAILURE_WINDOW_MS / 1000,
    streamStalledSeconds: config.HUB_ALERT_STREAM_STALLED_MS / 1000,
    agentMissingSeconds: config.HUB_ALERT_AGENT_MISSING_MS / 1000,
    hostSilentSeconds: config.HUB_ALERT_HOST_SILENT_MS / 1000,
  };
}

/** A failing webhook endpoint, as the engine needs to see it. */
export interface FailingEndpoint {
  id: string;
  url: string;
  failingSince: number | null;
}

/**
 * An alert's id is `<key>.<stamp>`: the key (the rule, or `webhook_failing-<endpoint>`) says which
 * condition it stands for, so the open set can be rebuilt from the log after a restart; the stamp
 * tells a later alert of the same rule from this one. The stamp is deterministic, not a clock: the
 * id of the show's last non-alert event when the condition started to hold (the failing-since time
 * for a webhook endpoint). Every hub on one Redis runs this engine on the same stream, so they all
 * name the same alert the same way, and the alert events carry `eventId`s made from it: the log
 * stores one raise and one resolve however many hubs publish them (as `show_summary` does with
 * `summary:<show_ended id>`).
 */
const keyOf = (alertId: string) => alertId.slice(0, alertId.lastIndexOf('.'));
const raisedEventId = (alertId: string) => `alert_raised:${alertId}`;
const resolvedEventId = (alertId: string) => `alert_resolved:${alertId}`;

/** The alert rules over the stream: a pipeline consumer, and a timer for the rules that fire on silence. */
export interface AlertEngine {
  /** Folds the retained log at start (no alerts are published for the past). */
  load: (records: readonly LogRecord[]) => void;
  /** A pipeline consumer: folds every stored batch and answers the alerts it raises or resolves. */
  consumer: Consumer;
  /** Starts the timer of the rules that fire on silence (after the log was loaded). */
  start(): void;
  close(): void;
  /** Shows with open alerts, for tests and metrics. */
  openCount: () => number;
}

/**
 * Evaluates the alert rules on the event stream: each stored event updates its show's watch
 * record and re-evaluates that show at once (an unrecoverable error raises in the same tick);
 * a timer re-evaluates every live show for the rules that fire on silence. A condition that
 * starts holding publishes `alert_raised` once, one that stops publishes `alert_resolved`, both
 * through the hub's publish (so stored, streamed and sent to webhooks like any event).
 */
export function createAlertEngine(opts: {
  config: Config;
  logger: FastifyBaseLogger;
  /** Failing webhook endpoints, for `webhook_failing` (alerted on the `default` show). */
  webhookEndpoints: () => FailingEndpoint[];
  /** The hub's publish, for what the timer raises (what a batch raises is the consumer's answer). */
  publish: Publish;
}): AlertEngine {
  const { config, logger } = opts;
  const t = thresholdsOf(config);
  const webhookRule = config.HUB_ALERT_WEBHOOK_FAILING_MS / 1000;
  const watches = new Map<string, ShowWatch>();
  /** Open alerts per show: condition key → alertId. Kept in step with the log's alert events. */
  const open = new Map<string, Map<string, string>>();
  /** Alert ids the log holds as raised and not yet resolved (told apart from this hub's own claims not stored yet). */
  const logged = new Set<string>();
  /**
   * A second raise of a condition already open, stored by another hub that evaluated at another
   * point of the log (a race of a few ms): every hub resolves it (one stored resolve, by its
   * eventId) and the first raise stands. alertId → show.
   */
  const redundant = new Map<string, string>();
  /** Per show, the id of its last non-alert event: the stamp of an alert raised now. */
  const lastIds = new Map<string, string>();
  let timer: NodeJS.Timeout | undefined;

  const openOf = (show: string) => {
    let m = open.get(show);
    if (!m) open.set(show, (m = new Map<string, string>()));
    return m;
  };

  /** Folds stored records (history at start, then every append) into the watch records and the open set. */
  function apply(records: readonly LogRecord[]): Set<string> {
    const touched = new Set<string>();
    for (const r of records) {
      const event = eventOf(r);
      if (event.type === 'alert_raised') {
        const alertId = String(event.alertId);
        const m = openOf(r.show);
        const key = keyOf(alertId);
        const held = m.get(key);
        // The first raise in the log wins; a claim of this hub's that the log doesn't hold yet yields.
        if (held !== undefined && held !== alertId && logged.has(held)) redundant.set(alertId, r.show);
        else m.set(key, alertId);
        logged.add(alertId);
      } else if (event.type === 'alert_resolved') {
        const alertId = String(event.alertId);
        const m = open.get(r.show);
        if (m && m.get(keyOf(alertId)) === alertId) m.delete(keyOf(alertId));
        logged.delete(alertId);
        redundant.delete(alertId);
      } else lastIds.set(r.show, r.id);
      let w = watches.get(r.show);
      if (!w) watches.set(r.show, (w = newWatch(event.receivedAt)));
      observe(w, event, t);
      // A show's alert events don't change its conditions: no re-evaluation for them alone.
      if (!r.type.startsWith('alert_')) touched.add(r.show);
    }
    return touched;
  }

  /** What should be open now, per show, against what is: the raises and resolves to publish. */
  function evaluate(shows: Iterable<string>, now = Date.now() / 1000): Array<EventInput & { show: string }> {
    const out: Array<EventInput & { show: string }> = [];
    const want = new Map<string, Map<string, Condition & { stamp?: string }>>();
    const all = new Set(shows);
    // The default show carries the webhook alerts, so it is always decided whole.
    if (webhookRule) all.add(DEFAULT_SHOW);
    for (const show of all) {
      const w = watches.get(show);
      if (w || open.get(show)?.size) want.set(show, new Map(w ? conditions(w, now, t).map((c) => [c.rule, c]) : []));
    }
    if (webhookRule) {
      const m = want.get(DEFAULT_SHOW) ?? new Map<string, Condition & { stamp?: string }>();
      for (const ep of opts.webhookEndpoints()) {
        if (ep.failingSince !== null && now - ep.failingSince >= webhookRule) {
          m.set(`webhook_failing-${ep.id}`, { rule: 'webhook_failing', severity: 'warning', stamp: Math.round(ep.failingSince * 1000).toString(36), message: `webhook endpoint ${ep.id} (${ep.url}) has failed every delivery for ${Math.round(now - ep.failingSince)} s` });
        }
      }
      want.set(DEFAULT_SHOW, m);
    }
    for (const [show, conds] of want) {
      const current = openOf(show);
      for (const [key, c] of conds) {
        if (current.has(key)) continue;
        const alertId = `${key}.${c.stamp ?? lastIds.get(show) ?? '0'}`;
        current.set(key, alertId);
        out.push({ type: 'alert_raised', show, alertId, eventId: raisedEventId(alertId), rule: c.rule, severity: c.severity, message: c.message });
      }
      for (const [key, alertId] of current) {
        if (conds.has(key)) continue;
        current.delete(key);
        out.push({ type: 'alert_resolved', show, alertId, eventId: resolvedEventId(alertId), message: 'the condition cleared' });
      }
    }
    for (const [alertId, show] of redundant) {
      redundant.delete(alertId);
      out.push({ type: 'alert_resolved', show, alertId, eventId: resolvedEventId(alertId), message: 'raised twice (by two hubs); the first alert stands' });
    }
    return out;
  }

  /** The timer's evaluations are the engine's own publishes (the pipeline's consumer answers its batch's). */
  function send(events: Array<EventInput & { show: string }>) {
    if (!events.length) return;
    opts.publish(events, ALERTS_PRINCIPAL).catch((error: unknown) => logger.error({ err: error }, 'could not publish alerts'));
  }

  /** Everything live, plus shows that still have open alerts (so they can resolve). */
  const watched = () => new Set([...[...watches].filter(([, w]) => w.status === 'live').map(([s]) => s), ...[...open].filter(([, m]) => m.size).map(([s]) => s)]);

  return {
    /** Folds the retained log at start (no alerts are published for the past). */
    load: (records: readonly LogRecord[]) => void apply(records),
    /** A pipeline consumer: folds every stored batch and answers the alerts it raises or resolves. */
    consumer: {
      name: 'alerts',
      apply(records: readonly LogRecord[]): Derived[] {
        try {
          const touched = apply(records);
          return touched.size ? [{ by: ALERTS_PRINCIPAL, events: evaluate(touched) }] : [];
        } catch (error) {
          logger.error({ err: error }, 'alert evaluation failed');
          return [];
        }
      },
    } satisfies Consumer,
    /** Starts the timer of the rules that fire on silence (after the log was loaded). */
    start() {
      timer = setInterval(() => {
        try {
          send(evaluate(watched()));
        } catch (error) {
          logger.error({ err: error }, 'alert evaluation failed');
        }
      }, config.HUB_ALERT_TICK_MS);
      timer.unref();
    },
    close() {
      clearInterval(timer);
    },
    /** Shows with open alerts, for tests and metrics. */
    openCount: () => [...open.values()].reduce((n, m) => n + m.size, 0),
  };
}

/** Open alerts, most urgent first: severity, then the oldest. */
export function rankAlerts<T extends Pick<OpenAlert, 'severity' | 'raisedAt'>>(alerts: T[]): T[] {
  const rank = { critical: 0, warning: 1, info: 2 } as const;
  return alerts.sort((a, b) => rank[a.severity] - rank[b.severity] || a.raisedAt - b.raisedAt);
}
