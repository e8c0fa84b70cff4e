import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import SrtParser from 'srt-parser-2';
import { getJson, postJson, startHub, type TestHub } from '@showwire/testkit';

/** Transcript exports parsed back by real subtitle parsers: the right lines, speakers and times. */

const webvtt = createRequire(import.meta.url)('node-webvtt') as {
  parse(input: string, options?: { strict?: boolean }): { valid: boolean; cues: Array<{ identifier: string; start: number; end: number; text: string }> };
};

const SHOW = 'transcript-show';
const T0 = 1_800_000_000;

describe('transcript export', () => {
  let hub: TestHub;
  let staff: string;
  const download = async (format: string, token = staff) => {
    const res = await fetch(`${hub.url}/api/shows/${SHOW}/transcript?format=${format}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, type: res.headers.get('content-type'), disposition: res.headers.get('content-disposition'), text: await res.text() };
  };

  before(async () => {
    hub = await startHub();
    staff = await hub.token('staff');
    const res = await postJson(`${hub.url}/api/shows/${SHOW}/events`, [
      { type: 'show_started', title: 'Mugs', timestamp: T0 },
      { type: 'transcript', role: 'user', participant: 'host-jane', text: 'I have a', final: false, itemId: 'u1', timestamp: T0 + 1.5 },
      { type: 'transcript', role: 'user', participant: 'host-jane', text: 'I have a blue mug', final: true, itemId: 'u1', timestamp: T0 + 2.25 },
      { type: 'transcript', role: 'agent', text: 'Creating <b>it</b> & adding --> now', final: true, timestamp: T0 + 4 },
      { type: 'tool_call', name: 'create_product', durationMs: 5 },
      { type: 'transcript', role: 'agent', text: 'Is that all?', final: false, itemId: 'a2', timestamp: T0 + 20 },
      // Over an hour in, to check the hours field.
      { type: 'transcript', role: 'user', participant: 'host-jane', text: 'Thanks,\n\nbye', timestamp: T0 + 3725.5 },
    ], await hub.token('agent', [SHOW]));
    assert.equal(res.status, 201, JSON.stringify(res.body));
  });
  after(() => hub?.close());

  it('VTT: final lines only, with voice tags and times relative to the show start', async () => {
    const res = await download('vtt');
    assert.equal(res.status, 200);
    assert.equal(res.type, 'text/vtt; charset=utf-8');
    assert.equal(res.disposition, `attachment; filename="${SHOW}-transcript.vtt"`);
    const parsed = webvtt.parse(res.text, { strict: true });
    assert.equal(parsed.valid, true);
    assert.deepEqual(
      parsed.cues.map((c) => [c.start, c.end, c.text]),
      [
        [2.25, 4, '<v host-jane>I have a blue mug'],
        [4, 12, '<v Agent>Creating &lt;b&gt;it&lt;/b&gt; &amp; adding --&gt; now'],
        [3725.5, 3733.5, '<v host-jane>Thanks,\nbye'],
      ],
    );
    assert.match(res.text, /\n01:02:05\.500 --> 01:02:13\.500\n/);
  });

  it('SRT, text and JSON carry the same lines', async () => {
    const srt = await download('srt');
    assert.equal(srt.status, 200);
    const cues = new SrtParser().fromSrt(srt.text);
    assert.deepEqual(
      cues.map((c) => [c.id, c.startSeconds, c.endSeconds, c.text]),
      [
        ['1', 2.25, 4, 'host-jane: I have a blue mug'],
        ['2', 4, 12, 'Agent: Creating <b>it</b> & adding --> now'],
        ['3', 3725.5, 3733.5, 'host-jane: Thanks,\nbye'],
      ],
    );

    const txt = await download('txt');
    assert.equal(txt.type, 'text/plain; charset=utf-8');
    assert.equal(txt.text, '[00:00:02] host-jane: I have a blue mug\n[00:00:04] Agent: Creating <b>it</b> & adding --> now\n[01:02:05] host-jane: Thanks,\n\nbye\n');

    const json = await getJson(`${hub.url}/api/shows/${SHOW}/transcript?format=json`, staff);
    assert.equal(json.status, 200);
    assert.equal(json.body.startedAt, T0);
    assert.deepEqual(json.body.lines.map((l: any) => [l.at, l.speaker, l.role, l.participant, l.text]), [
      [2.25, 'host-jane', 'user', 'host-jane', 'I have a blue mug'],
      [4, 'Agent', 'agent', undefined, 'Creating <b>it</b> & adding --> now'],
      [3725.5, 'host-jane', 'user', 'host-jane', 'Thanks,\n\nbye'],
    ]);
  });

  it('refuses viewers, unknown formats and unknown shows with the reason', async () => {
    const viewer = await download('vtt', await hub.token('viewer', [SHOW]));
    assert.equal(viewer.status, 403);
    assert.match(JSON.parse(viewer.text).message, /viewer token cannot read the transcript/);
    const bad = await download('docx');
    assert.equal(bad.status, 400);
    assert.deepEqual(JSON.parse(bad.text).issues.map((i: any) => i.path), ['format']);
    const none = await getJson(`${hub.url}/api/shows/no-such-show/transcript?format=vtt`, staff);
    assert.equal(none.status, 404);
    // A plain link works: GET takes the token in the query.
    const link = await fetch(`${hub.url}/api/shows/${SHOW}/transcript?format=txt&access_token=${staff}`);
    assert.equal(link.status, 200);
    assert.match(await link.text(), /blue mug/);
  });
});
