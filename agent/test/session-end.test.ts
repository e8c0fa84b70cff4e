import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { END_REASONS, sessionEnd } from '../src/session-end.js';

describe('sessionEnd: agent_session_closed once, with the first cause', () => {
  it('the first cause noted wins and is posted once, whatever reports the end afterwards', () => {
    const sent: unknown[] = [];
    const end = sessionEnd({ publish: (e) => sent.push(e) });
    end.note(END_REASONS.roomEnded);
    end.note(END_REASONS.shutdown);
    end.post();
    end.post(END_REASONS.error);
    assert.deepEqual(sent, [{ type: 'agent_session_closed', reason: 'room_ended' }]);
  });

  it('with no cause noted the fallback is posted', () => {
    const sent: unknown[] = [];
    const end = sessionEnd({ publish: (e) => sent.push(e) });
    end.post(END_REASONS.shutdown);
    assert.deepEqual(sent, [{ type: 'agent_session_closed', reason: 'shutdown' }]);
    assert.equal(end.reason(), 'shutdown');
  });
});
