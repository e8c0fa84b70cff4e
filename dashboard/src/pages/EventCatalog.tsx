import { useMemo, useState } from 'react';
import { eventTemplates, publicEventTypes } from '@showwire/protocol';
import { Header } from '../components/Header.js';
import type { PageProps } from '../lib/auth.js';
import { EVENT_GUIDE, readersOf } from '../lib/event-guide.js';

interface FieldSchema {
  type?: string | string[];
  enum?: unknown[];
  items?: FieldSchema;
  anyOf?: FieldSchema[];
  description?: string;
  default?: unknown;
}

/** A JSON Schema fragment in a few words: `string`, `"a" | "b"`, `array of object`. */
function typeText(s: FieldSchema | undefined): string {
  if (!s) return 'any';
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (s.anyOf) return s.anyOf.map(typeText).join(' | ');
  if (s.type === 'array') return `array of ${typeText(s.items)}`;
  if (Array.isArray(s.type)) return s.type.join(' | ');
  return s.type ?? 'any';
}

/** How every event looks once stored: the hub's fields around the type's own. */
const ENVELOPE = { id: '1042', show: 'show-123', timestamp: 1695123456.789, receivedAt: 1695123456.801, source: 'agent:showwire-voice-agent' };

/**
 * The event catalog, generated from the protocol's zod schemas (the same ones the hub validates
 * with): every known type, when it fires, who sends it, who may read it, its fields and an example
 * as SSE and webhooks carry it; a table of contents first.
 */
export function EventCatalog({ claims, onSignOut }: PageProps) {
  const templates = useMemo(() => eventTemplates(), []);
  const [filter, setFilter] = useState('');
  const shown = templates.filter((t) => t.type.includes(filter.trim().toLowerCase()));
  const isPublic = new Set<string>(publicEventTypes);
  return (
    <>
      <Header claims={claims} onSignOut={onSignOut}>
        <h1>Event catalog</h1>
      </Header>
      <main className="catalog" data-testid="event-catalog">
        <p className="small muted">
          Every event is one flat JSON object, the same in the log, on SSE and in webhooks. Any other type matching{' '}
          <code>^[a-z][a-z0-9_.-]{'{0,63}'}$</code> is kept as sent. Routes and bodies: <a href="/docs">/docs</a>.
        </p>
        <input placeholder="Filter types" value={filter} onChange={(e) => setFilter(e.target.value)} aria-label="Filter types" />
        <nav className="panel catalog-toc" aria-label="Event types" data-testid="catalog-toc">
          <h2>Contents</h2>
          <ol>
            {shown.map((t) => (
              <li key={t.type}>
                <a href={`#${t.type}`}>
                  <code>{t.type}</code>
                </a>{' '}
                <span className="muted small">{EVENT_GUIDE[t.type]?.when.split(/[.:;(]/)[0]}</span>
              </li>
            ))}
          </ol>
        </nav>
        {shown.map((t) => {
          const props = ((t.schema as { properties?: Record<string, FieldSchema> }).properties ?? {});
          const required = new Set((t.schema as { required?: string[] }).required ?? []);
          return (
            <section key={t.type} className="panel catalog-type" id={t.type} data-type={t.type}>
              <h2>
                <code>{t.type}</code> {isPublic.has(t.type) && <span className="muted small">public (viewers see it)</span>}
              </h2>
              <dl className="catalog-facts small">
                <div data-fact="when">
                  <dt>When</dt>
                  <dd>{EVENT_GUIDE[t.type]?.when ?? '—'}</dd>
                </div>
                <div data-fact="from">
                  <dt>Sent by</dt>
                  <dd>{EVENT_GUIDE[t.type]?.from ?? '—'}</dd>
                </div>
                <div data-fact="readers">
                  <dt>Who may read it</dt>
                  <dd>{readersOf(t.type)}; webhooks carry it to every endpoint subscribed to it</dd>
                </div>
              </dl>
              {Object.keys(props).length ? (
                <table className="grid fields">
                  <thead>
                    <tr>
                      <th>Field</th>
                      <th>Type</th>
                      <th>Required</th>
                    </tr>
                  </thead>
                  <tbody>
                    {Object.entries(props).map(([name, s]) => (
                      <tr key={name} data-field={name}>
                        <td>
                          <code>{name}</code>
                        </td>
                        <td className="small">{typeText(s)}</td>
                        <td className="small">{required.has(name) && s.default === undefined ? 'yes' : 'no'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              ) : (
                <p className="small muted">No fields of its own.</p>
              )}
              <pre className="payload example">{JSON.stringify({ ...ENVELOPE, ...t.template }, null, 2)}</pre>
            </section>
          );
        })}
      </main>
    </>
  );
}
