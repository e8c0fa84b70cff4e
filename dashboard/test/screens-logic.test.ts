import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { emptyShow, type ShowState, type WebhookDelivery, type WebhookEndpoint } from '@showwire/protocol';
import { formatAge, formatClock, formatMs } from '../src/lib/format.js';
import { liveAlertMessage, sortBy, sortedCards, splitEnded, staleSince } from '../src/lib/trouble.js';
import { breakerText, endpointStats, mergeDeliveries } from '../src/lib/webhooks-api.js';
import type { ShowAccess } from '../src/live/use-show-capabilities.js';
import { agentPaused, hostControlsBlocked } from '../src/studio/agent-controls.js';
import { agentJoinTimeoutMs } from '../src/studio/use-agent-toggle.js';

describe('one time format, one unit rule', () => {
  test('today: 24-hour time to the second; another day: the date and the zone first', () => {
    const now = new Date(2026, 11, 7, 21, 0, 0);
    const today = new Date(2026, 11, 7, 7, 26, 50).getTime() / 1000;
    assert.equal(formatClock(today, now), '07:26:50');
    const yesterday = formatClock(new Date(2026, 11, 6, 19, 26, 50).getTime() / 1000, now);
    assert.match(yesterday, /(Dec 6|6 Dec), 19:26:50 \S+$/);
    assert.doesNotMatch(yesterday, /PM|AM/);
    assert.match(formatClock(new Date(2025, 0, 2, 8, 0, 0).getTime() / 1000, now), /2025, 08:00:00 \S+$/, 'another year names it');
  });
  test('milliseconds under a second, seconds from one on; ages in the largest whole unit', () => {
    assert.deepEqual([formatMs(640.4), formatMs(999), formatMs(1000), formatMs(1605), formatMs(undefined), formatMs(null)], ['640 ms', '999 ms', '1.0 s', '1.6 s', '—', '—']);
    assert.deepEqual([formatAge(8.9), formatAge(61), formatAge(7300)], ['8 s', '1 min', '2 h']);
  });
});

const show = (id: string, over: Partial<ShowState> = {}): ShowState => ({ ...emptyShow(id), status: 'live', ...over });
const alert = (rule: string, raisedAt: number, message = `no events for 61 s from a live show`) => ({ alertId: `${rule}-1`, rule, severity: 'critical' as const, message, id: '1', raisedAt });

describe('the wall', () => {
  test('an aging alert keeps counting from when it was raised; others stay as the hub wrote them', () => {
    assert.equal(liveAlertMessage(alert('stream_stalled', 1000), 1000 + 419), 'no events for 8 min from a live show');
    assert.equal(liveAlertMessage(alert('agent_silent', 1000, 'the host spoke 9.5 s ago and the agent has not answered'), 1003), 'the host spoke 12 s ago and the agent has not answered');
    const latency = alert('latency_high', 1000, 'p95 end-to-end latency is 3200 ms over the last 20 turns (threshold 3000 ms)');
    assert.equal(liveAlertMessage(latency, 2000), latency.message);
  });

  test('stale only when the hub says the stream stalled or the agent is missing, since the last event', () => {
    const [stalled, fine, ended] = sortedCards([
      show('a', { alerts: [alert('stream_stalled', 1061)], lastActivity: 1000 }),
      show('b', { lastActivity: 1000 }),
      show('c', { status: 'ended', alerts: [], lastActivity: 1000 }),
    ]);
    assert.equal(staleSince(stalled!), 1000);
    assert.equal(staleSince(fine!), undefined);
    assert.equal(staleSince(ended!), undefined);
  });

  test('ended shows apart; sorting by a column both ways, equal values in triage order', () => {
    const cards = sortedCards([show('a', { viewers: 5 }), show('b', { viewers: 9 }), show('c', { viewers: 5, status: 'ended' }), show('d', { viewers: 5 })]);
    const { current, ended } = splitEnded(cards);
    assert.deepEqual(current.map((c) => c.state.show), ['a', 'b', 'd']);
    assert.deepEqual(ended.map((c) => c.state.show), ['c']);
    assert.deepEqual(sortBy(current, { key: 'viewers', desc: true }).map((c) => c.state.show), ['b', 'a', 'd']);
    assert.deepEqual(sortBy(current, { key: 'viewers', desc: false }).map((c) => c.state.show), ['a', 'd', 'b']);
  });
});

const delivery = (id: string, over: Partial<WebhookDelivery> = {}): WebhookDelivery => ({
  id, webhookId: `msg_${id}`, endpointId: 'ep', eventId: null, type: 't', show: null, status: 'pending', attempts: 0, nextAttemptAt: null, createdAt: 0, lastStatusCode: null, lastError: null, ...over,
});

describe('the webhook log', () => {
  test('a refresh merges: new rows on top, fresh state for rows seen again, older loaded rows kept, 100 after 99', () => {
    const loaded = ['101', '100', '99', '98', '12'].map((id) => delivery(id));
    const merged = mergeDeliveries(loaded, [delivery('102'), delivery('101', { status: 'succeeded' }), delivery('100')]);
    assert.deepEqual(merged.map((d) => d.id), ['102', '101', '100', '99', '98', '12']);
    assert.equal(merged[1]!.status, 'succeeded');
  });

  test('an endpoint\'s figures: success rate of the finished, the soonest next attempt', () => {
    const s = endpointStats(
      [delivery('1', { status: 'succeeded' }), delivery('2', { status: 'failed' }), delivery('3', { status: 'succeeded' }), delivery('4', { nextAttemptAt: 900 }), delivery('5', { nextAttemptAt: 1500 })],
    );
    assert.deepEqual(s, { successRate: 2 / 3, finished: 3, pending: 2, nextAttemptAt: 900 });
    assert.equal(endpointStats([]).successRate, null);
  });

  test('the breaker in words: open with its next probe, half-open, closed with the failures in a row, disabled', () => {
    const ep = (breaker: WebhookEndpoint['breaker'], enabled = true) =>
      ({ id: 'ep_1', url: 'https://x', description: '', types: null, shows: null, enabled, disabledReason: null, failingSince: null, createdAt: 0, updatedAt: 0, breaker }) as WebhookEndpoint;
    const clock = (t: number) => `T${t}`;
    assert.equal(breakerText(ep({ state: 'open', nextProbeAt: 1234, consecutiveFailures: 5 }), clock), 'open, next probe at T1234 · 5 failed in a row');
    assert.equal(breakerText(ep({ state: 'half-open', nextProbeAt: null, consecutiveFailures: 5 }), clock), 'half-open: one probe decides · 5 failed in a row');
    assert.equal(breakerText(ep({ state: 'closed', nextProbeAt: null, consecutiveFailures: 0 }), clock), 'closed');
    assert.equal(breakerText(ep({ state: 'closed', nextProbeAt: null, consecutiveFailures: 2 }), clock), 'closed · 2 failed in a row');
    assert.equal(breakerText(ep({ state: 'open', nextProbeAt: 1, consecutiveFailures: 9 }, false), clock), 'stopped (disabled)');
  });
});

describe('the host\'s agent bar', () => {
  const control = (action: string, timestamp: number, ok = true) => ({ kind: 'control' as const, id: String(timestamp), timestamp, action, by: 'hana', ok });
  const access = (actions: string[], controlsBlocked?: string) =>
    ({ missing: false, forbidden: false, capabilities: { livekit: 'configured', actions, ...(controlsBlocked && { controlsBlocked }), listen: false, listenBlocked: 'role' } }) as ShowAccess;

  test('paused: the last successful pause or resume since the agent last closed', () => {
    assert.equal(agentPaused({ actions: [], agentClosed: undefined }), false);
    assert.equal(agentPaused({ actions: [control('pause', 10)], agentClosed: undefined }), true);
    assert.equal(agentPaused({ actions: [control('pause', 10), control('resume', 11)], agentClosed: undefined }), false);
    assert.equal(agentPaused({ actions: [control('pause', 10), control('resume', 11, false)], agentClosed: undefined }), true, 'a failed resume leaves it paused');
    assert.equal(agentPaused({ actions: [control('pause', 10), control('say', 12)], agentClosed: undefined }), true);
    assert.equal(agentPaused({ actions: [control('pause', 10)], agentClosed: { reason: 'ended_by_staff', at: 20 } }), false, 'a new agent starts unpaused');
  });

  test('why the controls cannot work: the hub\'s reason first, then a missing agent', () => {
    assert.deepEqual(hostControlsBlocked(access(['say', 'pause', 'resume', 'end_agent'], 'role'), true), undefined);
    assert.equal(hostControlsBlocked(access(['say', 'pause', 'resume', 'end_agent'], 'role'), false)?.reason, 'no_agent');
    assert.equal(hostControlsBlocked(access([], 'ended'), true)?.reason, 'ended');
    assert.match(hostControlsBlocked(access([], 'livekit_unconfigured'), true)!.text, /LiveKit is not configured/);
    assert.equal(hostControlsBlocked({ missing: false, forbidden: true }, true)?.reason, 'not_yours');
    assert.equal(hostControlsBlocked({ missing: true, forbidden: false }, false)?.reason, 'no_agent', 'no event of the show yet: no agent either');
    assert.equal(hostControlsBlocked({ missing: false, forbidden: false }, true)?.reason, 'loading');
  });

  test('the agent join timeout: ?agentJoinTimeout seconds within 1 … 600, else 45 s', () => {
    assert.equal(agentJoinTimeoutMs(''), 45_000);
    assert.equal(agentJoinTimeoutMs('?agentJoinTimeout=3'), 3000);
    assert.equal(agentJoinTimeoutMs('?agentJoinTimeout=0'), 45_000);
    assert.equal(agentJoinTimeoutMs('?agentJoinTimeout=601'), 45_000);
    assert.equal(agentJoinTimeoutMs('?agentJoinTimeout=abc'), 45_000);
  });
});
