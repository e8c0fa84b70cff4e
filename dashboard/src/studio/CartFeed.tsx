import type { ShowState } from '@showwire/protocol';
import { formatCount } from '../lib/format.js';

/** What viewers put in their carts, per product, as it happens (the show's story counters). */
export function CartFeed({ state: s }: { state: ShowState }) {
  const rows = Object.entries(s.story.perProduct).filter(([, p]) => p.adds > 0 || p.removes > 0);
  return (
    <section className="panel" aria-labelledby="carts-h" data-testid="cart-feed" data-cart-adds={s.story.cartAdds}>
      <div className="panel-head">
        <h2 id="carts-h">Carts</h2>
        <span className="muted small">{formatCount(s.story.cartAdds)} added</span>
      </div>
      {rows.length === 0 ? (
        <p className="empty">No viewer has added anything yet.</p>
      ) : (
        <ul className="cart-feed">
          {rows.map(([id, p]) => (
            <li key={id} data-product={id} data-adds={p.adds}>
              <span>{s.products[id]?.name ?? id}</span>
              <span className="muted small">
                {formatCount(p.adds)} added{p.removes ? `, ${formatCount(p.removes)} removed` : ''}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
