/** The show's thumbnail, or its initials on a calm tile when it has none (or it fails to load). */
import { useState } from 'react';

export function Thumb({ url, title }: { url?: string | undefined; title: string }) {
  const [failed, setFailed] = useState(false);
  if (url && !failed) return <img className="thumb" src={url} alt="" loading="lazy" onError={() => setFailed(true)} />;
  const initials = title.split(/[\s_.:-]+/).filter(Boolean).slice(0, 2).map((w) => w[0]!.toUpperCase()).join('');
  return (
    <div className="thumb thumb-empty" aria-hidden="true">
      {initials || '•'}
    </div>
  );
}
