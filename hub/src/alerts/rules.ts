import { percentile, type AlertSeverity, type HubEvent, type KnownEvent } from '@showwire/protocol';

/**
 * The alert rules (docs/supervision.md), as small functions over a per-show record
 * (`ShowWatch`) that the engine feeds with every stored event. Times are the hub's clock
 * (`receivedAt`), in epoch seconds, so a replayed log gives the same answers as the live stream.
 */

/** Thresholds, from the HUB_ALERT_* settings; 0 turns a rule off. */
export interface AlertThresholds {
  /** The host's finished utterance got no agent response for this long (seconds). */
  agentSilentSeconds: number;
  /** Rolling p95 of `e2eMs` over the last `latencyTurns` turns above this (ms)… */
  latencyP95Ms: number;
  /** …once at least `latencyMinTurns` turns have a figure. */
  latencyMinTurns: number;
  latencyTurns: number;
  /** This many failed tool calls within `toolFailureWindowSeconds`. */
  toolFailures: number;
  toolFailureWindowSeconds: number;
  /** A live show with no events for this long (seconds). */
  streamStalledSeconds: number;
  /** A live show with no agent session (closed, or never came) for this long (seconds). */
  agentMissingSeconds: number;
  /** No host speech in the room monitor's `audio_level` reports for this long (seconds). */
  hostSilentSeconds: number;
}

export interface Condition {
  rule: string;
  severity: AlertSeverity;
  message: string;
}

export interface ShowWatch {
  /** As reduceShow has it: any activity makes an idle show live; only show_started revives an ended one. */
  status: 'idle' | 'live' | 'ended';
  liveSince: number;
  /** The last event that says the show is moving (not the hub's own alerts and control audit). */
  lastActivity: number;
  agentSeen: boolean;
  agentClosedAt?: number;
  paused: boolean;
  /** When the host's oldest unanswered final utterance was stored. */
  unansweredSince?: number;
  fatalError?: string;
  toolFailureTimes: number[];
  e2e: number[];
  firstAudioAt?: number;
  hostSoundAt?: number;
  /** The room monitor's last report, and the window it covered (seconds): is it still measuring? */
  lastAudioAt?: number;
  audioWindowSeconds?: number;
}

/** A report without `windowMs` is taken to cover the monitor's default interval (HUB_LIVE_LEVEL_INTERVAL_MS). */
const DEFAULT_AUDIO_WINDOW_SECONDS = 5;

/** Events the hub itself writes about a show: they say nothing about whether the show is moving. */
const HUB_OWN = new Set(['alert_raised', 'alert_resolved', 'alert_acknowledged', 'control', 'show_summary']);

export const newWatch = (at: number): ShowWatch => ({
  status: 'idle',
  liveSince: at,
  lastActivity: at,
  agentSeen: false,
  paused: false,
  toolFailureTimes: [],
  e2e: [],
});

/** Folds one stored event into the show's watch record. */
export function observe(w: ShowWatch, event: HubEvent, t: AlertThresholds): void {
  if (HUB_OWN.has(event.type)) {
    if (event.type === 'control') observeControl(w, event as Extract<KnownEvent, { type: 'control' }>);
    return;
  }
  const e = event as KnownEvent;
  const at = e.receivedAt;
  w.lastActivity = at;
  if (e.type === 'show_ended') {
    w.status = 'ended';
    return;
  }
  if (e.type === 'show_started') {
    w.status = 'live';
    w.liveSince = at;
  } else if (w.status === 'idle') {
    // The agent's grace starts when the show does.
    w.status = 'live';
    w.liveSince = at;
  }
  switch (e.type) {
    case 'agent_waiting':
      // In the room, waiting for its host: present, so not "missing".
      agentPresent(w);
      break;
    case 'agent_ready':
      // Present, and what was wrong before (a fatal error, a pause, an unanswered viewer) is over.
      agentPresent(w);
      answered(w);
      w.fatalError = undefined;
      w.paused = false;
      break;
    case 'agent_session_closed':
      w.agentClosedAt = at;
      w.unansweredSince = undefined;
      break;
    case 'agent_error':
      // A recoverable error (a retried TTS request) is history, not trouble; only an explicit `false` is.
      if (e.recoverable === false) w.fatalError = e.message;
      break;
    case 'transcript':
      if (e.role === 'agent') answered(w);
      else if (e.final && w.unansweredSince === undefined) w.unansweredSince = at;
      break;
    case 'agent_speech_started':
      answered(w);
      break;
    case 'agent_state':
      if (e.state === 'speaking') answered(w);
      else w.agentSeen = true;
      break;
    case 'tool_call':
      answered(w);
      if (e.isError) w.toolFailureTimes.push(at);
      break;
    case 'turn_metrics':
      if (e.e2eMs !== undefined) {
        w.e2e.push(e.e2eMs);
        if (w.e2e.length > t.latencyTurns) w.e2e.splice(0, w.e2e.length - t.latencyTurns);
      }
      break;
    case 'audio_level':
      w.firstAudioAt ??= at;
      w.lastAudioAt = at;
      w.audioWindowSeconds = e.windowMs !== undefined ? e.windowMs / 1000 : DEFAULT_AUDIO_WINDOW_SECONDS;
      if (e.speakingFraction > 0) w.hostSoundAt = at;
      break;
  }
}

/** The agent is in the room (waiting or ready), so not "missing", and no longer closed. */
function agentPresent(w: ShowWatch) {
  w.agentSeen = true;
  w.agentClosedAt = undefined;
}

function answered(w: ShowWatch) {
  w.agentSeen = true;
  w.unansweredSince = undefined;
}

/** Only actions that reached the agent change whether it is paused. */
function observeControl(w: ShowWatch, e: Extract<KnownEvent, { type: 'control' }>) {
  if (!e.ok) return;
  if (e.action === 'pause') w.paused = true;
  if (e.action === 'resume' || e.action === 'end_agent' || e.action === 'redispatch') w.paused = false;
}

const secs = (s: number) => (s >= 10 ? `${Math.round(s)} s` : `${s.toFixed(1)} s`);

/** The conditions that hold for a show now; an ended show has none (its alerts resolve). */
export function conditions(w: ShowWatch, now: number, t: AlertThresholds): Condition[] {
  if (w.status !== 'live') return [];
  const out: Condition[] = [];
  if (w.fatalError !== undefined) {
    out.push({ rule: 'agent_error', severity: 'critical', message: `the agent failed and cannot recover: ${w.fatalError}`.slice(0, 2000) });
  }
  if (t.agentMissingSeconds > 0) {
    if (w.agentClosedAt !== undefined && now - w.agentClosedAt >= t.agentMissingSeconds) {
      out.push({ rule: 'agent_missing', severity: 'critical', message: `the agent's session closed ${secs(now - w.agentClosedAt)} ago and no agent has come back` });
    } else if (!w.agentSeen && w.agentClosedAt === undefined && now - w.liveSince >= t.agentMissingSeconds) {
      out.push({ rule: 'agent_missing', severity: 'critical', message: `the show has been live for ${secs(now - w.liveSince)} and no agent has joined` });
    }
  }
  if (t.streamStalledSeconds > 0 && now - w.lastActivity >= t.streamStalledSeconds) {
    out.push({ rule: 'stream_stalled', severity: 'critical', message: `no events for ${secs(now - w.lastActivity)} from a live show` });
  }
  if (t.agentSilentSeconds > 0 && !w.paused && w.agentClosedAt === undefined && w.unansweredSince !== undefined && now - w.unansweredSince >= t.agentSilentSeconds) {
    out.push({ rule: 'agent_silent', severity: 'warning', message: `the host spoke ${secs(now - w.unansweredSince)} ago and the agent has not answered` });
  }
  if (t.latencyP95Ms > 0 && w.e2e.length >= Math.max(1, t.latencyMinTurns)) {
    const p95 = percentile([...w.e2e].sort((a, b) => a - b), 95);
    if (p95 > t.latencyP95Ms) {
      out.push({ rule: 'latency_high', severity: 'warning', message: `p95 end-to-end latency is ${Math.round(p95)} ms over the last ${w.e2e.length} turns (threshold ${t.latencyP95Ms} ms)` });
    }
  }
  if (t.toolFailures > 0) {
    const since = now - t.toolFailureWindowSeconds;
    while (w.toolFailureTimes.length && w.toolFailureTimes[0]! < since) w.toolFailureTimes.shift();
    if (w.toolFailureTimes.length >= t.toolFailures) {
      out.push({ rule: 'tool_failures', severity: 'warning', message: `${w.toolFailureTimes.length} tool calls failed in the last ${secs(t.toolFailureWindowSeconds)}` });
    }
  }
  // Silence is what the monitor measured, not the lack of a monitor: once its reports stop (the live
  // session stopped or died) for two windows and a second of slack, nothing says the host is silent.
  const monitoring = w.lastAudioAt !== undefined && now - w.lastAudioAt <= 2 * (w.audioWindowSeconds ?? DEFAULT_AUDIO_WINDOW_SECONDS) + 1;
  if (t.hostSilentSeconds > 0 && w.firstAudioAt !== undefined && monitoring) {
    const heard = w.hostSoundAt ?? w.firstAudioAt;
    if (now - heard >= t.hostSilentSeconds) {
      out.push({ rule: 'host_silent', severity: 'warning', message: `no host audio for ${secs(now - heard)}` });
    }
  }
  return out;
}
