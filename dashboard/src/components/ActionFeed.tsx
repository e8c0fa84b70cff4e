import type { Action, Product } from '@showwire/protocol';
import { brief, formatClock, formatPrice } from '../lib/format.js';

/** Newest first; the reducer keeps the last 1000, the feed shows the last 100 (older ones are in the history API). */
const SHOWN = 100;

export function ActionFeed({ actions, products }: { actions: readonly Action[]; products: Record<string, Product> }) {
  const recent = actions.slice(-SHOWN).reverse();
  return (
    <section className="panel actions" aria-labelledby="actions-h">
      <div className="panel-head">
        <h2 id="actions-h">Agent actions</h2>
        <span className="muted small">{actions.length}</span>
      </div>
      {recent.length === 0 ? (
        <p className="empty">No tool calls yet.</p>
      ) : (
        <ol className="feed" tabIndex={0} aria-label="Agent actions, newest first">
          {recent.map((a) => (
            <li key={a.id} className={`act act-${a.kind}${a.kind === 'tool_call' && a.isError ? ' act-error' : ''}`} data-action={a.kind}>
              <ActionRow action={a} products={products} />
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function ActionRow({ action: a, products }: { action: Action; products: Record<string, Product> }) {
  const time = <time className="muted small">{formatClock(a.timestamp)}</time>;
  switch (a.kind) {
    case 'tool_call':
      return (
        <>
          <div className="act-head">
            <code className="tool">{a.name}</code>
            <span className={a.isError ? 'outcome outcome-error' : 'outcome outcome-ok'}>{a.isError ? 'failed' : 'ok'}</span>
            <span className="muted small">{Math.round(a.durationMs)} ms</span>
            {time}
          </div>
          <div className="act-detail">
            <code title={JSON.stringify(a.args)}>{brief(a.args)}</code>
            {a.output !== undefined && <div className="muted small">→ {brief(a.output, 120)}</div>}
          </div>
        </>
      );
    case 'product_created':
      return (
        <div className="act-head">
          <span className="act-kind">Product created</span>
          <strong>{a.product.name}</strong>
          <span>{formatPrice(a.product.price, a.product.currency)}</span>
          {time}
        </div>
      );
    case 'product_added_to_show':
      return (
        <div className="act-head">
          <span className="act-kind">Added to carousel</span>
          <strong>{products[a.productId]?.name ?? a.productId}</strong>
          {time}
        </div>
      );
    case 'control':
      return (
        <div className="act-head" data-control-by={a.by}>
          <span className={`act-kind${a.ok ? '' : ' act-kind-error'}`}>Staff: {a.action.replace('_', ' ')}</span>
          <span>
            by <strong>{a.by}</strong>
            {a.text ? ` — “${a.text}”` : ''}
            {a.ok ? '' : ` — failed: ${a.error ?? 'unknown error'}`}
          </span>
          {time}
        </div>
      );
    case 'agent_error':
      return (
        <div className="act-head">
          <span className="act-kind act-kind-error">Agent error</span>
          <span>{a.message}</span>
          {time}
        </div>
      );
  }
}
