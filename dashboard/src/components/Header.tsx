import type { ReactNode } from 'react';
import type { Claims } from '../lib/auth.js';
import type { ConnectionState } from '../lib/connection.js';
import { Link } from '../lib/router.js';
import { ConnectionBadge } from './ConnectionBadge.js';
import { ThemeSwitch } from './ThemeSwitch.js';

const here = (path: string) => (typeof location !== 'undefined' && location.pathname === path ? 'page' : undefined);

export function Header({ claims, connection, children, onSignOut }: { claims: Claims | undefined; connection?: ConnectionState; children?: ReactNode; onSignOut: () => void }) {
  const staff = !claims || claims.role === 'staff' || claims.role === 'admin';
  return (
    <header className="topbar">
      <Link href="/" className="brand">
        <span className="brand-mark" aria-hidden="true">◉</span> Showwire
      </Link>
      <nav aria-label="Main" className="nav">
        {staff && (
          <Link href="/" aria-current={here('/')}>
            Live wall
          </Link>
        )}
        {(!claims || claims.role === 'host' || staff) && (
          <Link href="/search" aria-current={here('/search')}>
            Search
          </Link>
        )}
        {staff && (
          <Link href="/events" aria-current={here('/events')}>
            Events
          </Link>
        )}
        {(!claims || claims.role === 'admin') && (
          <Link href="/webhooks" aria-current={here('/webhooks')}>
            Webhooks
          </Link>
        )}
        {/* A plain link: /docs is the hub's own page, not a dashboard route. */}
        <a href="/docs/">API docs</a>
      </nav>
      <div className="topbar-title">{children}</div>
      <div className="topbar-end">
        {connection && <ConnectionBadge state={connection} />}
        {claims && (
          <span className="who" title={`Signed in as ${claims.sub}`}>
            {claims.role}
          </span>
        )}
        <ThemeSwitch />
        <button type="button" className="btn-quiet" onClick={onSignOut}>
          Sign out
        </button>
      </div>
    </header>
  );
}

export function Notice({ kind = 'info', children }: { kind?: 'info' | 'warn' | 'error'; children: ReactNode }) {
  return (
    <div className={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}
