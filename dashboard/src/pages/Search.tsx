import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { SearchAnswer, SearchHit } from '@showwire/protocol';
import { Header, Notice } from '../components/Header.js';
import type { PageProps } from '../lib/auth.js';
import { formatDateTime } from '../lib/format.js';
import { navigate } from '../lib/router.js';
import { searchEvents, type SearchFilters } from '../lib/search-api.js';

/** Results wait for a pause in typing this long, so each keystroke does not cost a request. */
const TYPING_PAUSE_MS = 150;

const TYPE_CHOICES: Array<[string, string]> = [
  ['', 'Everything'],
  ['transcript', 'What was said'],
  ['tool_call,agent_error', 'Tool calls and errors'],
  ['product_created', 'Products'],
  ['alert_raised,alert_resolved,alert_acknowledged', 'Alerts'],
  ['control', 'Controls'],
];

function Snippet({ hit }: { hit: SearchHit }) {
  return (
    <span className="search-snippet">
      {hit.snippet.map((p, i) => (p.mark ? <mark key={i}>{p.text}</mark> : <span key={i}>{p.text}</span>))}
    </span>
  );
}

/**
 * Search across every show the token may read (staff: all; a host: its own). Keyboard first:
 * the box has focus, results come as you type, ↑/↓ choose, Enter opens the replay at that
 * moment, Escape clears. The query stays in the address (`/search?q=`), so a search can be shared.
 */
export function Search({ token, claims, onSignOut, onUnauthorized }: PageProps) {
  const [input, setInput] = useState(() => new URLSearchParams(location.search).get('q') ?? '');
  const [filters, setFilters] = useState<SearchFilters>({});
  const [answer, setAnswer] = useState<SearchAnswer>();
  const [error, setError] = useState<string>();
  const [selected, setSelected] = useState(0);
  const list = useRef<HTMLOListElement>(null);
  // A cleared box clears the answer and its error (while rendering, so none is shown under an empty box).
  if (!input.trim() && (answer || error)) {
    setAnswer(undefined);
    setError(undefined);
  }

  useEffect(() => {
    const url = new URL(location.href);
    if (input.trim()) url.searchParams.set('q', input);
    else url.searchParams.delete('q');
    history.replaceState(null, '', url.pathname + url.search);
    if (!input.trim()) return;
    const abort = new AbortController();
    const timer = setTimeout(() => {
      searchEvents(input, filters, token, abort.signal).then(
        (a) => {
          setAnswer(a);
          setError(undefined);
          setSelected(0);
        },
        (e: Error & { status?: number }) => {
          if (abort.signal.aborted) return;
          if (e.status === 401) onUnauthorized?.();
          setError(e.message);
        },
      );
    }, TYPING_PAUSE_MS);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [input, filters, token, onUnauthorized]);

  useEffect(() => {
    list.current?.querySelector(`[data-index="${selected}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [selected]);

  const results = answer?.results ?? [];
  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown') setSelected((i) => Math.min(i + 1, results.length - 1));
    else if (e.key === 'ArrowUp') setSelected((i) => Math.max(i - 1, 0));
    else if (e.key === 'Enter' && results[selected]) navigate(results[selected].link);
    else if (e.key === 'Escape') setInput('');
    else return;
    e.preventDefault();
  };

  return (
    <>
      <Header claims={claims} onSignOut={onSignOut}>
        <h1>Search</h1>
      </Header>
      <main className="search-page" data-testid="search-page">
        <div className="search-bar">
          <input
            autoFocus
            type="search"
            role="combobox"
            aria-expanded={results.length > 0}
            aria-controls="search-results"
            aria-activedescendant={results[selected] ? `search-result-${selected}` : undefined}
            aria-label="Search shows"
            placeholder='Words, "a phrase", prefix*  —  ↑ ↓ to choose, Enter to open'
            value={input}
            onChange={(e) => setInput(e.target.value)}
            onKeyDown={onKey}
          />
          <select aria-label="What to search" value={filters.types ?? ''} onChange={(e) => setFilters({ ...filters, types: e.target.value })}>
            {TYPE_CHOICES.map(([v, label]) => (
              <option key={v} value={v}>
                {label}
              </option>
            ))}
          </select>
          <select aria-label="Who" value={filters.role ?? ''} onChange={(e) => setFilters({ ...filters, role: e.target.value as SearchFilters['role'] })}>
            <option value="">Anyone</option>
            <option value="user">Host</option>
            <option value="agent">Agent</option>
          </select>
          <select aria-label="Show status" value={filters.status ?? ''} onChange={(e) => setFilters({ ...filters, status: e.target.value as SearchFilters['status'] })}>
            <option value="">Any show</option>
            <option value="live">Live shows</option>
            <option value="ended">Ended shows</option>
          </select>
        </div>
        {error && <Notice kind="error">{error}</Notice>}
        {answer && !answer.complete && <Notice kind="warn">The hub is still indexing its history; older events may be missing.</Notice>}
        {answer && input.trim() && !results.length && <p className="muted" data-testid="search-empty">Nothing found.</p>}
        <ol id="search-results" className="search-results" role="listbox" ref={list} data-count={answer ? results.length : ''}>
          {results.map((hit, i) => (
            <li
              key={hit.id}
              id={`search-result-${i}`}
              role="option"
              aria-selected={i === selected}
              data-index={i}
              data-id={hit.id}
              className={i === selected ? 'search-result selected' : 'search-result'}
              onMouseEnter={() => setSelected(i)}
              onClick={() => navigate(hit.link)}
            >
              <div className="search-meta small muted">
                <strong>{hit.show}</strong> · {hit.type.replaceAll('_', ' ')}
                {hit.role && ` · ${hit.role === 'user' ? 'host' : 'agent'}`} · {formatDateTime(hit.receivedAt)}
              </div>
              <Snippet hit={hit} />
            </li>
          ))}
        </ol>
      </main>
    </>
  );
}
