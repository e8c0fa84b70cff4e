import { transcriptFormats } from '@showwire/protocol';

/**
 * Plain links: the transcript route takes the token as `?access_token=` on GET and answers with
 * `Content-Disposition: attachment`, so the browser downloads with no script in between.
 */
export function TranscriptDownload({ show, token }: { show: string; token: string | null }) {
  const href = (format: string) => {
    const q = new URLSearchParams({ format });
    if (token) q.set('access_token', token);
    return `/api/shows/${encodeURIComponent(show)}/transcript?${q}`;
  };
  return (
    <div className="downloads" aria-label="Download the transcript">
      <span className="muted small">Transcript:</span>
      {transcriptFormats.map((f) => (
        <a key={f} className="btn-quiet" href={href(f)} download data-format={f}>
          {f.toUpperCase()}
        </a>
      ))}
    </div>
  );
}
