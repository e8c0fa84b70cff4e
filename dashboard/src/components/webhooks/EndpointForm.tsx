import { useState, type FormEvent } from 'react';
import { filterList } from '../../lib/webhooks-api.js';

export interface EndpointFields {
  url: string;
  description: string;
  types: string[] | null;
  shows: string[] | null;
}

/**
 * Add or edit an endpoint: URL, description, and the type and show filters (comma-separated;
 * empty means all). The hub validates; its 400 names the bad field and is shown above.
 */
export function EndpointForm({ initial, submitLabel, onSubmit, onCancel }: {
  initial?: EndpointFields;
  submitLabel: string;
  onSubmit: (fields: EndpointFields) => Promise<boolean>;
  onCancel?: () => void;
}) {
  const [url, setUrl] = useState(initial?.url ?? '');
  const [description, setDescription] = useState(initial?.description ?? '');
  const [types, setTypes] = useState(initial?.types?.join(', ') ?? '');
  const [shows, setShows] = useState(initial?.shows?.join(', ') ?? '');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!url.trim()) return;
    const ok = await onSubmit({ url: url.trim(), description: description.trim(), types: filterList(types), shows: filterList(shows) });
    if (ok && !initial) {
      setUrl('');
      setDescription('');
      setTypes('');
      setShows('');
    }
  };
  return (
    <form className="new-endpoint" onSubmit={(e) => void submit(e)} data-testid={initial ? 'edit-endpoint' : 'new-endpoint'}>
      <label>
        <span className="sr-only">Endpoint URL</span>
        <input type="url" required placeholder="https://example.com/webhooks/showwire" value={url} onChange={(e) => setUrl(e.target.value)} />
      </label>
      <label>
        <span className="sr-only">Description</span>
        <input placeholder="Description (optional)" value={description} onChange={(e) => setDescription(e.target.value)} />
      </label>
      <label>
        <span className="sr-only">Event types</span>
        <input placeholder="Types, e.g. show_summary, order_placed (empty: all)" value={types} onChange={(e) => setTypes(e.target.value)} />
      </label>
      <label>
        <span className="sr-only">Shows</span>
        <input placeholder="Shows (empty: all)" value={shows} onChange={(e) => setShows(e.target.value)} />
      </label>
      <button type="submit" className="btn">
        {submitLabel}
      </button>
      {onCancel && (
        <button type="button" className="btn-quiet" onClick={onCancel}>
          Cancel
        </button>
      )}
    </form>
  );
}
