import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { WebhookEndpointConfig } from '@showwire/protocol';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS webhook_endpoints (
  id TEXT PRIMARY KEY,
  url TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  types TEXT,              -- JSON array; NULL = every type
  shows TEXT,              -- JSON array; NULL = every show
  enabled INTEGER NOT NULL DEFAULT 1,
  disabled_reason TEXT,
  secret TEXT NOT NULL,
  old_secret TEXT,         -- still signed with until old_secret_until (rotation grace)
  old_secret_until REAL,
  failing_since REAL,
  created_at REAL NOT NULL,
  updated_at REAL NOT NULL
);
`;

/** An endpoint with its secrets and its filters as sets, for the commit hook and the worker. */
export interface Endpoint extends WebhookEndpointConfig {
  secret: string;
  oldSecret: string | null;
  oldSecretUntil: number | null;
  typeSet: ReadonlySet<string> | null;
  showSet: ReadonlySet<string> | null;
}

interface Row {
  id: string;
  url: string;
  description: string;
  types: string | null;
  shows: string | null;
  enabled: number;
  disabled_reason: string | null;
  secret: string;
  old_secret: string | null;
  old_secret_until: number | null;
  failing_since: number | null;
  created_at: number;
  updated_at: number;
}

const fromRow = (r: Row): Endpoint => {
  const types = r.types === null ? null : (JSON.parse(r.types) as string[]);
  const shows = r.shows === null ? null : (JSON.parse(r.shows) as string[]);
  return {
    id: r.id,
    url: r.url,
    description: r.description,
    types,
    shows,
    enabled: r.enabled === 1,
    disabledReason: r.disabled_reason,
    failingSince: r.failing_since,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    secret: r.secret,
    oldSecret: r.old_secret,
    oldSecretUntil: r.old_secret_until,
    typeSet: types && new Set(types),
    showSet: shows && new Set(shows),
  };
};


export const matches = (e: Endpoint, show: string, type: string) =>
  e.enabled && (e.typeSet === null || e.typeSet.has(type)) && (e.showSet === null || e.showSet.has(show));

/** The secrets a delivery is signed with now: the current one, and the old one during its grace. */
export const signingSecrets = (e: Endpoint, now: number) =>
  e.oldSecret && e.oldSecretUntil !== null && e.oldSecretUntil > now ? [e.secret, e.oldSecret] : [e.secret];

export type EndpointPatch = Partial<Pick<WebhookEndpointConfig, 'url' | 'description' | 'types' | 'shows' | 'enabled'>>;

/**
 * Webhook endpoints, in the log's SQLite file. All of them are kept in memory too (there are
 * few), because the commit hook matches every stored event against them inside the transaction.
 */
export function createEndpointStore(db: Database.Database) {
  db.exec(SCHEMA);
  const cache = new Map<string, Endpoint>();
  const load = (id: string) => {
    const row = db.prepare<[string], Row>('SELECT * FROM webhook_endpoints WHERE id = ?').get(id);
    if (row) cache.set(id, fromRow(row));
    else cache.delete(id);
    return cache.get(id);
  };
  for (const row of db.prepare<[], Row>('SELECT * FROM webhook_endpoints').all()) cache.set(row.id, fromRow(row));
  const now = () => Date.now() / 1000;
  const json = (v: string[] | null | undefined) => (v ? JSON.stringify(v) : null);

  return {
    get: (id: string) => cache.get(id),
    list: () => [...cache.values()].sort((a, b) => a.createdAt - b.createdAt),
    enabled: () => [...cache.values()].filter((e) => e.enabled),

    create(input: { url: string; description: string; types?: string[] | null; shows?: string[] | null; secret: string; enabled: boolean }): Endpoint {
      const id = `ep_${randomBytes(12).toString('base64url')}`;
      const t = now();
      db.prepare(
        `INSERT INTO webhook_endpoints (id, url, description, types, shows, enabled, disabled_reason, secret, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(id, input.url, input.description, json(input.types), json(input.shows), input.enabled ? 1 : 0, input.enabled ? null : 'manual', input.secret, t, t);
      return load(id)!;
    },

    update(id: string, patch: EndpointPatch, disabledReason = 'manual'): Endpoint | undefined {
      const e = cache.get(id);
      if (!e) return undefined;
      const enabled = patch.enabled ?? e.enabled;
      db.prepare(
        `UPDATE webhook_endpoints SET url = ?, description = ?, types = ?, shows = ?, enabled = ?, disabled_reason = ?,
           failing_since = ?, updated_at = ? WHERE id = ?`,
      ).run(
        patch.url ?? e.url,
        patch.description ?? e.description,
        patch.types !== undefined ? json(patch.types) : json(e.types),
        patch.shows !== undefined ? json(patch.shows) : json(e.shows),
        enabled ? 1 : 0,
        enabled ? null : e.enabled ? disabledReason : e.disabledReason,
        // Enabling again starts the failure clock afresh.
        enabled && !e.enabled ? null : e.failingSince,
        now(),
        id,
      );
      return load(id);
    },

    rotate(id: string, secret: string, graceSeconds: number): Endpoint | undefined {
      const e = cache.get(id);
      if (!e) return undefined;
      const t = now();
      db.prepare('UPDATE webhook_endpoints SET secret = ?, old_secret = ?, old_secret_until = ?, updated_at = ? WHERE id = ?').run(
        secret,
        graceSeconds > 0 ? e.secret : null,
        graceSeconds > 0 ? t + graceSeconds : null,
        t,
        id,
      );
      return load(id);
    },

    /** Notes a failed attempt (starting the failure clock) or a success (stopping it). */
    setFailing(id: string, since: number | null) {
      const e = cache.get(id);
      if (!e || e.failingSince === since || (since !== null && e.failingSince !== null)) return e;
      db.prepare('UPDATE webhook_endpoints SET failing_since = ? WHERE id = ?').run(since, id);
      return load(id);
    },

    remove(id: string): boolean {
      const removed = db.prepare('DELETE FROM webhook_endpoints WHERE id = ?').run(id).changes > 0;
      cache.delete(id);
      return removed;
    },
  };
}
