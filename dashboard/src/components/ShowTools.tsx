import { Link, replayPath } from '../lib/router.js';
import { TranscriptDownload } from './TranscriptDownload.js';

/** The show's history at hand: its replay and its transcript as a file (staff view and studio alike). */
export function ShowTools({ show, token, buttonClass = 'btn-quiet' }: { show: string; token: string | null; buttonClass?: string }) {
  return (
    <div className="show-tools">
      <Link className={buttonClass} href={replayPath(show)} data-testid="replay-link">
        Replay
      </Link>
      <TranscriptDownload show={show} token={token} />
    </div>
  );
}
