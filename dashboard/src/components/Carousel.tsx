import type { ShowState } from '@showwire/protocol';
import { formatPrice } from '../lib/format.js';
import { Thumb } from './Thumb.js';

/** Products on the show's carousel in order, then those created but not (yet) added. */
export function Carousel({ state: s }: { state: ShowState }) {
  const onCarousel = new Set(s.carousel);
  const ids = [...s.carousel, ...s.productOrder.filter((id) => !onCarousel.has(id))];
  return (
    <section className="panel" aria-labelledby="carousel-h">
      <div className="panel-head">
        <h2 id="carousel-h">Products</h2>
        <span className="muted small">
          {s.carousel.length} on carousel · {s.productOrder.length} created
        </span>
      </div>
      {ids.length === 0 ? (
        <p className="empty">No products yet.</p>
      ) : (
        <ul className="carousel" tabIndex={0} aria-label="Products">
          {ids.map((id) => {
            const p = s.products[id];
            return (
              <li key={id} className={`product${onCarousel.has(id) ? ' product-on' : ''}`} data-product={id}>
                <Thumb url={p?.imageUrl} title={p?.name ?? id} className="product-img" />
                <div className="product-name">{p?.name ?? id}</div>
                {p && <div className="product-price">{formatPrice(p.price, p.currency)}</div>}
                <div className="small muted">{onCarousel.has(id) ? 'On carousel' : 'Created'}</div>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
