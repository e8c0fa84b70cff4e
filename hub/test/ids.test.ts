import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyResumePoint, compareIds, formatId, newEpoch, parseId } from '../src/log/ids.js';

describe('event ids carry the log epoch', () => {
  const epoch = 'abcd1234';

  it('orders ids of one epoch by sequence, not as text, and 0 before all', () => {
    const ids = [formatId(epoch, 10), formatId(epoch, 9), '0', formatId(epoch, 100), formatId(epoch, 1)];
    assert.deepEqual([...ids].sort(compareIds), ['0', 'abcd1234-1', 'abcd1234-9', 'abcd1234-10', 'abcd1234-100']);
  });

  it('classifies resume points: oldest, this log, another log, not an id', () => {
    assert.deepEqual(classifyResumePoint(epoch, '0'), { kind: 'oldest' });
    assert.deepEqual(classifyResumePoint(epoch, 'abcd1234-42'), { kind: 'after', id: 'abcd1234-42', seq: 42 });
    assert.equal(classifyResumePoint(epoch, 'zzzz9999-42').kind, 'other_epoch');
    assert.equal(classifyResumePoint(epoch, '1042').kind, 'other_epoch', 'a bare number is an id from before epochs');
    for (const bad of ['', 'abc', 'abcd1234-', 'abcd1234-0', 'abcd1234-01', 'ABCD1234-1', 'abcd1234-1x', '-1', '0x10']) {
      assert.equal(classifyResumePoint(epoch, bad).kind, 'invalid', bad);
    }
  });

  it('makes distinct well-formed epochs', () => {
    const seen = new Set(Array.from({ length: 200 }, () => newEpoch()));
    assert.equal(seen.size, 200);
    for (const e of seen) assert.deepEqual(parseId(formatId(e, 7)), { epoch: e, seq: 7 });
  });
});
