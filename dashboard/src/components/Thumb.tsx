/**
 * An image with a calm fallback: the show's thumbnail or a product's picture, or its initials on a
 * tile when it has none (or it fails to load), never a broken-image icon.
 */
import { useState } from 'react';

export function Thumb({ url, title, className = '' }: { url?: string | undefined; title: string; className?: string }) {
  const [failed, setFailed] = useState<string>();
  if (url && failed !== url) return <img className={`thumb ${className}`.trim()} src={url} alt="" loading="lazy" onError={() => setFailed(url)} data-thumb="image" />;
  const initials = title.split(/[\s_.:-]+/).filter(Boolean).slice(0, 2).map((w) => w[0]!.toUpperCase()).join('');
  return (
    <div className={`thumb thumb-empty ${className}`.trim()} aria-hidden="true" data-thumb="initials">
      {initials || '•'}
    </div>
  );
}
