import { useCallback, useMemo, useState } from 'react';
import { emptyShow } from '@showwire/protocol';
import { ActionFeed } from '../components/ActionFeed.js';
import { AlertList } from '../components/AlertList.js';
import { Carousel } from '../components/Carousel.js';
import { Header, Notice } from '../components/Header.js';
import { LatencyBadge } from '../components/Latency.js';
import { Recordings } from '../components/Recordings.js';
import { ShowSummary } from '../components/ShowSummary.js';
import { Transcript } from '../components/Transcript.js';
import { ShowTools } from '../components/ShowTools.js';
import { ApiError, apiRequest } from '../lib/api.js';
import type { PageProps } from '../lib/auth.js';
import { formatCount } from '../lib/format.js';
import { rankedAlerts } from '../lib/trouble.js';
import { useHubNow } from '../live/use-now.js';
import { useLiveShows } from '../live/use-live-shows.js';
import { useShowCapabilities } from '../live/use-show-capabilities.js';
import { AgentBar } from '../studio/AgentBar.js';
import { CartFeed } from '../studio/CartFeed.js';
import { DevicePicker } from '../studio/DevicePicker.js';
import { agentJoinTimeoutMs, useAgentToggle } from '../studio/use-agent-toggle.js';
import { useStudioRoom } from '../studio/use-studio-room.js';
import '../studio/studio.css';

/**
 * The host's studio: go live from this browser, the voice agent's toggle, and beside the video
 * what the agent hears and does, the show's latency, alerts, viewers and carts, all from the
 * show's own event stream (reduceShow). Ending the show deletes the room and shows the summary.
 * Phone first: one column, controls at thumb height; two columns from 900 px. This is also
 * what a host gets at `/shows/:show` for its own show: the host's one layout.
 */
export function Studio({ show, token, claims, onSignOut, onUnauthorized }: PageProps & { show: string }) {
  const live = useLiveShows(token, show, undefined, onUnauthorized);
  const now = useHubNow(live.clockOffset);
  const state = useMemo(() => live.states.get(show) ?? emptyShow(show), [live.states, show]);
  // The preview's ref callback apart from the rest, which render reads (the compiler takes an
  // object one of whose fields is a ref to be a ref).
  const { attachPreview, ...studio } = useStudioRoom(show, token, claims?.sub ?? 'host');
  const [joinTimeoutMs] = useState(() => agentJoinTimeoutMs(location.search));
  const agent = useAgentToggle(show, token, state, studio.identity, joinTimeoutMs);
  const access = useShowCapabilities(show, token, state.status);
  const alerts = useMemo(() => rankedAlerts(state).map((a) => ({ ...a, show })), [state, show]);
  const [endError, setEndError] = useState<string>();
  const ended = studio.phase === 'ended' || state.status === 'ended';

  const endShow = useCallback(async () => {
    setEndError(undefined);
    try {
      await apiRequest(`/api/streaming/rooms/${encodeURIComponent(show)}/end`, token, { method: 'POST' });
      studio.markEnded();
    } catch (e) {
      setEndError(`The show could not be ended: ${(e as Error).message}`);
    }
  }, [show, token, studio]);

  const problem = studio.error ?? agent.error;
  return (
    <>
      <Header claims={claims} connection={live.connection} onSignOut={onSignOut}>
        <h1>{state.title || show}</h1>
      </Header>
      <main className="studio" data-testid="studio" data-phase={studio.phase} data-identity={studio.identity ?? ''} data-show={show} data-agent={agent.status.kind}>
        {problem && (
          <div data-testid="studio-error" data-problem={problem.problem}>
            <Notice kind="error">{problem.message}</Notice>
          </div>
        )}
        {live.error && (
          <Notice kind="error">
            {live.error instanceof ApiError && live.error.status === 403 ? `This sign-in cannot host “${show}”.` : `Could not load this show: ${live.error.message}`}
          </Notice>
        )}
        {endError && <Notice kind="error">{endError}</Notice>}
        {ended ? (
          <div className="studio-ended">
            <Notice kind="info">Your show has ended.</Notice>
            <ShowSummary show={show} token={token} version={state.lastEventId} />
            <Recordings show={show} token={token} />
          </div>
        ) : (
          <div className="studio-grid">
            <section className="studio-stage panel" aria-label="Your camera">
              <div className="studio-video">
                <video ref={attachPreview} autoPlay playsInline muted data-testid="preview" />
                {studio.phase === 'live' && <span className="badge badge-live studio-live">LIVE</span>}
                <span className="studio-viewers" data-testid="studio-viewers" data-viewers={state.viewers}>
                  {formatCount(state.viewers)} watching
                </span>
              </div>
              <div className="studio-controls">
                {studio.phase !== 'live' ? (
                  <button className="btn studio-btn" data-testid="go-live" disabled={studio.phase === 'starting'} onClick={() => void studio.goLive()}>
                    {studio.phase === 'starting' ? 'Starting…' : 'Go live'}
                  </button>
                ) : (
                  <>
                    <button className="studio-btn" aria-pressed={studio.micMuted} onClick={() => void studio.toggleMic()}>
                      {studio.micMuted ? 'Unmute mic' : 'Mute mic'}
                    </button>
                    <button className="studio-btn" aria-pressed={studio.camMuted} onClick={() => void studio.toggleCam()}>
                      {studio.camMuted ? 'Camera on' : 'Camera off'}
                    </button>
                    <button className="studio-btn" onClick={() => void studio.flip()}>
                      Flip
                    </button>
                    <button className="studio-btn studio-end" data-testid="end-show" onClick={() => void endShow()}>
                      End show
                    </button>
                  </>
                )}
              </div>
              <div className="studio-devices">
                <DevicePicker label="Camera" devices={studio.devices.cameras} value={studio.camera} onPick={studio.pickCamera} />
                <DevicePicker label="Microphone" devices={studio.devices.microphones} value={studio.microphone} onPick={studio.pickMicrophone} />
              </div>
              <div className="studio-agent">
                <button
                  className="studio-btn"
                  data-testid="agent-toggle"
                  aria-pressed={agent.present}
                  disabled={agent.busy || studio.phase !== 'live'}
                  onClick={() => void agent.toggle()}
                >
                  {agent.present ? 'End voice agent' : agent.pending ? 'Agent joining…' : 'Start voice agent'}
                </button>
                <LatencyBadge state={state} />
              </div>
              <AgentBar show={show} token={token} state={state} access={access} agentPresent={agent.present} />
            </section>
            <div className="studio-side">
              {alerts.length > 0 && <AlertList alerts={alerts} token={token} now={now} showNames={false} />}
              <Carousel state={state} />
              <CartFeed state={state} />
              <Transcript lines={state.transcript} speaking={state.agentSpeaking} />
              <ActionFeed actions={state.actions} products={state.products} />
              <Recordings show={show} token={token} />
              <ShowTools show={show} token={token} buttonClass="btn-quiet studio-btn" />
            </div>
          </div>
        )}
      </main>
    </>
  );
}
