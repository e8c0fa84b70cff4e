import { useRef, type ReactNode } from 'react';

/**
 * A row's actions behind one button (Svix's portal does the same): the row stays readable, and
 * destructive items (`danger`) come last, in red, after a rule. Choosing an item closes the menu.
 */
export function RowMenu({ label, children }: { label: string; children: ReactNode }) {
  const ref = useRef<HTMLDetailsElement>(null);
  return (
    <details className="menu" ref={ref} onClick={(e) => (e.target as HTMLElement).closest('[role="menuitem"]') && ref.current?.removeAttribute('open')}>
      <summary className="btn-quiet" aria-label={label} data-menu>
        Actions ▾
      </summary>
      <div className="menu-items" role="menu">
        {children}
      </div>
    </details>
  );
}

export function MenuItem({ onClick, danger = false, children }: { onClick: () => void; danger?: boolean; children: ReactNode }) {
  return (
    <button type="button" role="menuitem" className={`menu-item${danger ? ' menu-danger' : ''}`} onClick={onClick}>
      {children}
    </button>
  );
}
