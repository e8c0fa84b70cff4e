import { useEffect, useState } from 'react';
import type { Watcher } from '@showwire/protocol';
import { loadPresence } from '../lib/supervision-api.js';
import { formatClock } from '../lib/format.js';

/** Who else is watching this show (staff and hosts), so two supervisors don't act at once. */
export function Presence({ show, token, me, live }: { show: string; token: string | null; me?: string; live?: Watcher[] }) {
  const [first, setFirst] = useState<Watcher[]>();
  useEffect(() => {
    loadPresence(token, show).then((p) => setFirst(p.watchers), () => setFirst([]));
  }, [show]); // eslint-disable-line react-hooks/exhaustive-deps -- once per show: a refreshed token must not reload it, `live` carries the changes
  const watchers = (live ?? first ?? []).filter((w) => w.sub !== me);
  return (
    <p className="presence small" data-testid="presence" data-watchers={watchers.map((w) => w.sub).join(',')}>
      {watchers.length === 0 ? (
        <span className="muted">Nobody else is watching.</span>
      ) : (
        <>
          <span className="muted">Also watching:</span>{' '}
          {watchers.map((w) => (
            <span key={w.sub} className="chip" title={`${w.role} since ${formatClock(w.since)}`}>
              {w.sub} <span className="muted">({w.role})</span>
            </span>
          ))}
        </>
      )}
    </p>
  );
}
