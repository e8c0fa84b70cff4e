import { memo, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { TranscriptLine } from '@showwire/protocol';
import { formatClock } from '../lib/format.js';
import { compareIds } from '../lib/ids.js';

const speaker = (l: TranscriptLine) => (l.role === 'agent' ? 'Agent' : l.participant || 'Host');

/**
 * The live transcript, virtualized: only the rows on screen exist in the DOM, so 20,000 lines
 * cost what 20 do. It follows new lines while the reader is at the bottom and stops following
 * as soon as they scroll up. New final lines are announced through a polite live region (only
 * the newest, so a screen reader is not flooded at 50 events/s).
 */
export function Transcript({ lines, speaking, moment }: { lines: readonly TranscriptLine[]; speaking: boolean; moment?: string | undefined }) {
  const scroller = useRef<HTMLDivElement>(null);
  const [follow, setFollow] = useState(true);
  // eslint-disable-next-line react-hooks/incompatible-library -- TanStack Virtual's API is not memoizable, and this dashboard is not built by the React Compiler
  const virtual = useVirtualizer({
    count: lines.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => 52,
    overscan: 8,
  });

  useLayoutEffect(() => {
    if (follow && lines.length > 0) virtual.scrollToIndex(lines.length - 1, { align: 'end' });
  }, [lines, follow, virtual]);

  // A moment (an alert's event id): the last line said at or before it, centred, once per moment
  // (the show view sets its whole history at once, so the first lines are all of them); following
  // stops so the reader stays there.
  const momentIndex = useMemo(() => (moment === undefined ? -1 : lastAtOrBefore(lines, moment)), [lines, moment]);
  const shown = useRef<string | undefined>(undefined);
  useLayoutEffect(() => {
    if (moment === undefined || momentIndex < 0 || shown.current === moment) return;
    shown.current = moment;
    setFollow(false);
    virtual.scrollToIndex(momentIndex, { align: 'center' });
  }, [moment, momentIndex, lines, virtual]);

  // Following stops only when the reader scrolls up: while the list scrolls itself to the end, rows
  // measured taller than their estimate grow the list under it, and "not at the bottom" then is no
  // sign of a reader (a long show opened mid-way stopped short of its newest line that way).
  const lastTop = useRef(0);
  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    const up = el.scrollTop < lastTop.current;
    lastTop.current = el.scrollTop;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
    if (atBottom && !follow) setFollow(true);
    else if (!atBottom && up && follow) setFollow(false);
  };

  const lastFinal = useMemo(() => newestFinal(lines), [lines]);

  return (
    <section className="panel transcript" aria-labelledby="transcript-h">
      <div className="panel-head">
        <h2 id="transcript-h">Transcript</h2>
        <span className="muted small">{lines.length.toLocaleString()} {lines.length === 1 ? 'line' : 'lines'}</span>
        {speaking && (
          <span className="speaking" data-agent-speaking>
            <span className="bars" aria-hidden="true">
              <i />
              <i />
              <i />
            </span>
            Agent speaking
          </span>
        )}
      </div>
      <div
        ref={scroller}
        className="transcript-scroll"
        tabIndex={0}
        role="log"
        aria-label="Transcript lines"
        onScroll={onScroll}
        data-line-count={lines.length}
      >
        {lines.length === 0 && <p className="empty">Nothing said yet.</p>}
        <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
          {virtual.getVirtualItems().map((row) => (
            <div key={row.key} data-index={row.index} ref={virtual.measureElement} className="vrow" style={{ transform: `translateY(${row.start}px)` }}>
              <Line line={lines[row.index]!} moment={row.index === momentIndex} />
            </div>
          ))}
        </div>
      </div>
      {!follow && lines.length > 0 && (
        <button type="button" className="jump" onClick={() => setFollow(true)}>
          Jump to latest ↓
        </button>
      )}
      <div className="sr-only" aria-live="polite" aria-atomic="true">
        {lastFinal ? `${speaker(lastFinal)}: ${lastFinal.text}` : ''}
      </div>
    </section>
  );
}

const Line = memo(function Line({ line, moment }: { line: TranscriptLine; moment: boolean }) {
  return (
    <div
      className={`line line-${line.role}${line.final ? '' : ' line-interim'}${moment ? ' line-moment' : ''}`}
      {...(moment && { 'data-moment': '' })}
      data-id={line.id} data-item={line.itemId} data-final={String(line.final)}>
      <div className="line-meta">
        <span className={`speaker speaker-${line.role}`}>{speaker(line)}</span>
        <time className="muted small">{formatClock(line.timestamp)}</time>
      </div>
      <p className="line-text">{line.text}</p>
    </div>
  );
});

/** Index of the last line whose id is at or before `id` (lines are in id order): binary search. */
function lastAtOrBefore(lines: readonly TranscriptLine[], id: string): number {
  let lo = 0;
  let hi = lines.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (compareIds(lines[mid]!.id, id) <= 0) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/**
 * The newest final line, looked for among the last 8 only, as the reducer looks for open lines
 * (a scan of 20,000 lines per frame would not be free). Derived in render: no second commit.
 */
function newestFinal(lines: readonly TranscriptLine[]): TranscriptLine | undefined {
  for (let i = lines.length - 1; i >= Math.max(0, lines.length - 8); i--) if (lines[i]!.final) return lines[i];
  return undefined;
}
