import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideOutcome, type AttemptAnswer, type Outcome } from '../src/webhooks/outcome.js';

const policy = { schedule: [5, 300, 1800], jitter: 0.5, disableAfterSeconds: 86_400 };
const AT = 1_000_000;
const answer = (statusCode: number | null, extra: Partial<AttemptAnswer> = {}): AttemptAnswer => ({ statusCode, retryAfter: null, error: null, ...extra });

/** The whole delivery policy as a table: what one attempt makes of a delivery and its endpoint. */
describe('webhooks: the delivery outcome (decideOutcome)', () => {
  const rows: Array<[string, AttemptAnswer, { attempts: number; failingSince: number | null }, Partial<Outcome>]> = [
    ['200 succeeds and stops the failure clock', answer(200), { attempts: 3, failingSince: AT - 100 }, { status: 'succeeded', nextAt: null, failingSince: null, disable: null, lastError: null }],
    ['204 is a 2xx too', answer(204), { attempts: 1, failingSince: null }, { status: 'succeeded', lastStatusCode: 204 }],
    ['a first 500 waits the first step (jitter lengthens it: random 0.5 of 0.5)', answer(500), { attempts: 1, failingSince: null }, { status: 'pending', nextAt: AT + 5 * 1.25, lastError: 'HTTP 500', failingSince: AT, disable: null }],
    ['a third failure waits the third step; the clock keeps its start', answer(502), { attempts: 3, failingSince: AT - 10 }, { status: 'pending', nextAt: AT + 1800 * 1.25, failingSince: AT - 10 }],
    ['the schedule used up: failed for good', answer(500), { attempts: 4, failingSince: AT - 10 }, { status: 'failed', nextAt: null, lastError: 'HTTP 500' }],
    ['no answer: the sender\'s error is kept', answer(null, { error: 'timed out after 15000 ms' }), { attempts: 1, failingSince: null }, { status: 'pending', lastStatusCode: null, lastError: 'timed out after 15000 ms' }],
    ['410 Gone fails it and disables the endpoint', answer(410), { attempts: 1, failingSince: null }, { status: 'failed', nextAt: null, disable: 'gone', lastError: 'the endpoint answered 410 Gone: disabled' }],
    ['429 Retry-After (seconds) replaces the schedule', answer(429, { retryAfter: '120' }), { attempts: 1, failingSince: null }, { status: 'pending', nextAt: AT + 120 }],
    ['503 Retry-After (HTTP date) replaces it too', answer(503, { retryAfter: new Date((AT + 60) * 1000).toUTCString() }), { attempts: 1, failingSince: null }, { status: 'pending', nextAt: AT + 60 }],
    ['a Retry-After on a 500 is not heeded', answer(500, { retryAfter: '120' }), { attempts: 1, failingSince: null }, { status: 'pending', nextAt: AT + 5 * 1.25 }],
    ['Retry-After still counts as an attempt: it cannot outlive the schedule', answer(429, { retryAfter: '1' }), { attempts: 4, failingSince: null }, { status: 'failed', nextAt: null }],
    ['a 4xx is retried like any failure', answer(400), { attempts: 2, failingSince: AT - 5 }, { status: 'pending', nextAt: AT + 300 * 1.25, lastError: 'HTTP 400' }],
    ['failing for the whole period disables it', answer(500), { attempts: 2, failingSince: AT - 86_400 }, { status: 'pending', disable: 'failing', failingSince: AT - 86_400 }],
    ['a moment short of the period does not', answer(500), { attempts: 2, failingSince: AT - 86_399 }, { disable: null }],
    ['the last retry failing after the period: failed and disabled', answer(null, { error: 'ECONNREFUSED' }), { attempts: 4, failingSince: AT - 90_000 }, { status: 'failed', disable: 'failing' }],
  ];
  for (const [name, a, ctx, expected] of rows) {
    it(name, () => {
      const out = decideOutcome(a, { at: AT, ...ctx }, policy, () => 0.5);
      assert.deepEqual(Object.fromEntries(Object.keys(expected).map((k) => [k, out[k as keyof Outcome]])), expected);
    });
  }
});
