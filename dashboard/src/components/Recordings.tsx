import { useEffect, useState } from 'react';
import { recordingList, type RecordingEntry } from '@showwire/protocol';
import { apiRequest } from '../lib/api.js';
import { formatDateTime, formatDuration } from '../lib/format.js';

/** A new recording appears within this long without a reload (recordings close when a session stops). */
const REFRESH_MS = 30_000;

const withToken = (url: string, token: string | null) => (token ? `${url}?${new URLSearchParams({ access_token: token })}` : url);
const megabytes = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MB`;

/**
 * The show's recordings: the MP4 plays in place (the hub serves Range, so it seeks), the WAV and
 * the original download. Links carry the token as `?access_token=`, which GET routes take, since
 * a `<video>` cannot send a header. Nothing is shown to a token that may not have them.
 */
export function Recordings({ show, token }: { show: string; token: string | null }) {
  const [recordings, setRecordings] = useState<RecordingEntry[]>([]);

  useEffect(() => {
    const abort = new AbortController();
    const load = () =>
      apiRequest(`/api/shows/${encodeURIComponent(show)}/recordings`, token, { signal: abort.signal }, fetch, recordingList).then(
        (r) => setRecordings(r.recordings),
        () => {},
      );
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => {
      clearInterval(timer);
      abort.abort();
    };
  }, [show, token]);

  if (!recordings.length) return null;
  return (
    <section className="panel recordings" aria-label="Recordings" data-testid="recordings">
      <h2>Recordings</h2>
      {recordings.map((r) => {
        const video = r.files.find((f) => f.kind === 'video');
        return (
          <article key={r.eventId} className="recording" data-event-id={r.eventId}>
            <div className="small muted">
              {formatDateTime(r.receivedAt)}
              {r.durationSeconds !== null && ` · ${formatDuration(r.durationSeconds)}`}
            </div>
            {video && <video controls preload="metadata" src={withToken(video.url, token)} data-file={video.id} />}
            <div className="downloads">
              {r.files.map((f) => (
                <a key={f.id} className="btn-quiet" href={withToken(f.url, token)} download={f.id} title={`SHA-256 ${f.sha256}`} data-kind={f.kind}>
                  {f.kind === 'video' ? 'MP4' : f.kind === 'audio' ? 'WAV' : 'Original (MKV)'} · {megabytes(f.size)}
                </a>
              ))}
            </div>
          </article>
        );
      })}
    </section>
  );
}
