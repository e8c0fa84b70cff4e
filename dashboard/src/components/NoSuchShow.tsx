import type { Claims } from '../lib/auth.js';
import type { ConnectionState } from '../lib/connection.js';
import { Link } from '../lib/router.js';
import { Header } from './Header.js';

/** A show id the hub has no event of: a page that says so, with nothing to control. */
export function NoSuchShow({ show, claims, connection, onSignOut }: { show: string; claims: Claims | undefined; connection: ConnectionState; onSignOut: () => void }) {
  const staff = !claims || claims.role === 'staff' || claims.role === 'admin';
  return (
    <>
      <Header claims={claims} connection={connection} onSignOut={onSignOut}>
        <h1>No such show</h1>
      </Header>
      <main className="show empty-page" data-testid="no-such-show" data-show={show}>
        <h2>No such show: “{show}”</h2>
        <p className="muted">
          The hub has no event of a show with this id. Check the link; a show appears as soon as its first event reaches the hub, and this page turns into it by
          itself.
        </p>
        {staff && <Link href="/">Back to the live wall</Link>}
      </main>
    </>
  );
}
