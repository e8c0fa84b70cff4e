import { useEffect, useEffectEvent, useState } from 'react';
import type { WebhookEndpoint } from '@showwire/protocol';
import type { DeliveryFilter } from '../../lib/webhooks-api.js';

/**
 * The delivery log's filters: endpoint and status at once, event type, show and message id once
 * typing pauses (each keystroke would otherwise restart the log).
 */
export function DeliveryFilters({ endpoints, value, onChange }: { endpoints: WebhookEndpoint[]; value: DeliveryFilter; onChange: (f: DeliveryFilter) => void }) {
  const [text, setText] = useState(() => typed(value));
  // A filter set from outside (a row's menu, the endpoint panel) shows in the fields at once.
  const [shown, setShown] = useState(() => typed(value));
  const outside = typed(value);
  if (outside.type !== shown.type || outside.show !== shown.show || outside.webhookId !== shown.webhookId) {
    setShown(outside);
    setText(outside);
  }
  // Applied with the filters as they are when typing pauses, not as they were at the keystroke.
  const apply = useEffectEvent(() => {
    const next = { type: text.type.trim(), show: text.show.trim(), webhookId: text.webhookId.trim() };
    if (next.type !== (value.type ?? '') || next.show !== (value.show ?? '') || next.webhookId !== (value.webhookId ?? '')) onChange(clean({ ...value, ...next }));
  });
  useEffect(() => {
    const t = setTimeout(apply, 400);
    return () => clearTimeout(t);
  }, [text]);
  const field = (key: 'type' | 'show' | 'webhookId', label: string, placeholder: string) => (
    <label>
      {label}
      <input type="search" value={text[key]} placeholder={placeholder} onChange={(e) => setText({ ...text, [key]: e.target.value })} data-filter-field={key} />
    </label>
  );
  return (
    <div className="filters" role="search" aria-label="Filter deliveries">
      <label>
        Endpoint
        <select value={value.endpoint ?? ''} onChange={(e) => onChange(clean({ ...value, endpoint: e.target.value }))} data-filter-field="endpoint">
          <option value="">All</option>
          {endpoints.map((ep) => (
            <option key={ep.id} value={ep.id}>
              {ep.url}
            </option>
          ))}
        </select>
      </label>
      <label>
        Status
        <select value={value.status ?? ''} onChange={(e) => onChange(clean({ ...value, status: e.target.value as DeliveryFilter['status'] }))} data-filter-field="status">
          <option value="">All</option>
          <option value="pending">Pending</option>
          <option value="succeeded">Succeeded</option>
          <option value="failed">Failed</option>
        </select>
      </label>
      {field('type', 'Event type', 'order_placed')}
      {field('show', 'Show', 'show id')}
      {field('webhookId', 'Message id', 'msg_…')}
    </div>
  );
}

/** The typed filters as the fields hold them. */
const typed = (f: DeliveryFilter) => ({ type: f.type ?? '', show: f.show ?? '', webhookId: f.webhookId ?? '' });

/** Empty filters left out, so the hub is asked only what was chosen. */
const clean = (f: DeliveryFilter): DeliveryFilter => Object.fromEntries(Object.entries(f).filter(([, v]) => v));
