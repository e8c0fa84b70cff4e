import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getJson, postJson, startHub, type TestHub } from '@showwire/testkit';

/** `{"type":"deep","a":{"a":…}}` with `levels` objects in all (the event itself is level 1); `levels` "a" keys lead to `leaf`. */
function nested(levels: number, leaf: unknown = 1): Record<string, unknown> {
  let v: unknown = leaf;
  for (let i = 1; i < levels; i++) v = { a: v };
  return { type: 'deep', a: v };
}

/**
 * What JSON.parse accepts but the log can't keep: nesting beyond 32 levels and numbers that
 * overflow to Infinity. Each is a 400 naming where, and nothing of it is stored.
 */
describe('input limits: depth and non-finite numbers', () => {
  let hub: TestHub;
  let agent: string;
  let staff: string;
  before(async () => {
    hub = await startHub();
    agent = await hub.token('agent');
    staff = await hub.token('staff');
  });
  after(() => hub.close());

  const post = (path: string, body: unknown) => postJson(`${hub.url}${path}`, body, agent);
  const history = async (show: string) => (await getJson(`${hub.url}/api/shows/${show}/events`, staff)).body.events as any[];

  it('an event nested 4,115 levels deep: 400 naming the path, nothing stored, the show still readable', async () => {
    const res = await post('/api/shows/deep/events', nested(4115));
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.equal(res.body.error, 'validation_failed');
    assert.equal(res.body.issues.length, 1);
    // The path goes down to the first container past level 32 (32 "a" keys: levels 2..33).
    assert.match(res.body.issues[0].path, /^a(\.a){31}…?$/);
    assert.match(res.body.message, /deeper than 32 levels/);
    assert.deepEqual(await history('deep'), []);
  });

  it('32 levels are stored and read back; 33 are refused, also inside arrays of a batch', async () => {
    const ok = await post('/api/shows/deep32/events', nested(32, 'leaf'));
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    const stored = await history('deep32');
    assert.equal(stored.length, 1);
    let v: any = stored[0];
    for (let i = 0; i < 32; i++) v = v.a;
    assert.equal(v, 'leaf');
    assert.equal((await getJson(`${hub.url}/api/shows/deep32`, staff)).status, 200);

    const over = await post('/api/shows/deep33/events', nested(33));
    assert.equal(over.status, 400);
    // Arrays count as levels too; the batch index leads the path.
    let arr: unknown = 0;
    for (let i = 1; i < 33; i++) arr = [arr];
    const batch = await post('/api/shows/deep33/events', [{ type: 'fine' }, { type: 'deep', list: arr }]);
    assert.equal(batch.status, 400);
    assert.equal(batch.body.issues[0].path, `[1].list${'[0]'.repeat(31)}`);
    assert.deepEqual(await history('deep33'), []);
  });

  it('a custom field 1e309: 400 naming it (not stored as null); also -1e309 deep inside a known type', async () => {
    const res = await post('/api/shows/inf/events', '{"type":"price_check","amount":1e309}');
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.deepEqual(res.body.issues, [{ path: 'amount', message: 'must be a finite number (a literal such as 1e309 overflows to Infinity)' }]);
    const nestedInf = await post(
      '/api/shows/inf/events',
      '[{"type":"x"},{"type":"tool_call","name":"t","args":{"q":[1,-1e309]},"output":null,"isError":false,"durationMs":1}]',
    );
    assert.equal(nestedInf.status, 400);
    assert.equal(nestedInf.body.issues[0].path, '[1].args.q[1]');
    assert.deepEqual(await history('inf'), []);
    // A large but finite number is fine.
    assert.equal((await post('/api/shows/inf/events', '{"type":"price_check","amount":1e308}')).status, 201);
  });
});
