import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hubPublishedTypes, knownEventTypes, parseEventInput } from '@showwire/protocol';
import { startHub, type TestHub, freeTcpPort, listen } from '@showwire/testkit';
import { runCli, startCli } from './helpers/cli.js';

/** The stream-test CLI as a process against a real hub: what it sends arrives, what it hears is printed, exit codes hold. */
describe('stream-test CLI', () => {
  let hub: TestHub;
  let agent: string;
  let staff: string;
  before(async () => {
    hub = await startHub({ HUB_LOG_LEVEL: 'warn' });
    agent = await hub.token('agent', ['cli-show', 'sim-a', 'sim-b', 'sim-c']);
    staff = await hub.token('staff');
  });
  after(() => hub.close());

  it('send from flags reaches a running `listen --json`, which prints it as one JSON line and exits 0 at --count', async () => {
    const listener = startCli(['listen', '--hub', hub.url, '--token', staff, '--show', 'cli-show', '--json', '--count', '1', '--timeout', '60']);
    await listener.waitFor('listen: connected');
    const sent = await runCli(['send', '--hub', hub.url, '--token', agent, '--show', 'cli-show', '--type', 'transcript', '--text', 'Hello from the CLI', '--field', 'role=agent', '--json']);
    assert.equal(sent.code, 0, sent.stderr);
    const answer = JSON.parse(sent.stdout);
    assert.equal(answer.ids.length, 1);
    assert.equal(await listener.exited, 0, listener.stderr());
    // The hub's presence notice (this listener watching the show) is a notice like any other;
    // besides it, exactly the one event: --count 1, no heartbeats, status on stderr.
    const lines = listener.stdout().trim().split('\n').map((l) => JSON.parse(l));
    const events = lines.filter((l) => l.type !== 'presence');
    assert.equal(events.length, 1, 'exactly one event line: --count 1, no heartbeats, status on stderr');
    assert.ok(lines.every((l) => l.type !== 'heartbeat'));
    const event = events[0]!;
    assert.deepEqual(
      { id: event.id, show: event.show, type: event.type, text: event.text, role: event.role, final: event.final, source: event.source },
      { id: answer.ids[0], show: 'cli-show', type: 'transcript', text: 'Hello from the CLI', role: 'agent', final: true, source: 'agent:agent-test' },
    );
  });

  it('send reads a JSON batch from stdin; listen resumes from --last-event-id and prints pretty lines in order', async () => {
    const first = await runCli(['send', '--hub', hub.url, '--token', agent, '--show', 'cli-show', '--type', 'agent_ready', '--text', 'ready', '--json']);
    assert.equal(first.code, 0, first.stderr);
    const resumeAfter = JSON.parse(first.stdout).ids[0];
    const batch = [
      { type: 'product_created', product: { id: 'p-1', name: 'Cast-iron skillet', price: 39, currency: 'USD' } },
      { type: 'product_added_to_show', productId: 'p-1' },
    ];
    const sent = await runCli(['send', '--hub', hub.url, '--token', agent, '--show', 'cli-show'], { input: JSON.stringify(batch) });
    assert.equal(sent.code, 0, sent.stderr);
    assert.match(sent.stdout, /^sent 2 events to cli-show: id [a-z0-9]{8}-\d+, [a-z0-9]{8}-\d+ \(\d+ clients notified\)\n$/);
    const heard = await runCli(['listen', '--hub', hub.url, '--token', staff, '--show', 'cli-show', '--last-event-id', resumeAfter, '--count', '2', '--timeout', '60']);
    assert.equal(heard.code, 0, heard.stderr);
    const lines = heard.stdout.trim().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[0]!, /cli-show product_created {2}Cast-iron skillet 39 USD \[p-1\]$/);
    assert.match(lines[1]!, /cli-show product_added_to_show {2}p-1 → carousel$/);
  });

  it('exit codes: 5 for an invalid event (naming the field), 4 for a refused token, 3 for no hub, 2 for bad flags, 6 for a listen timeout', async () => {
    const invalid = await runCli(['send', '--hub', hub.url, '--token', agent, '--show', 'cli-show', '--type', 'product_created', '--field', 'product={"id":"x","name":"Hat","price":-1,"currency":"usd"}']);
    assert.equal(invalid.code, 5);
    assert.match(invalid.stderr, /product\.price: .*>=0/);
    assert.match(invalid.stderr, /product\.currency: must be an ISO 4217 code/);

    const wrongShow = await runCli(['send', '--hub', hub.url, '--token', agent, '--show', 'not-mine', '--type', 'agent_ready']);
    assert.equal(wrongShow.code, 4);
    assert.match(wrongShow.stderr, /hub answered 403 forbidden: this token does not cover show "not-mine"/);

    const noToken = await runCli(['listen', '--hub', hub.url, '--show', 'cli-show', '--timeout', '30']);
    assert.equal(noToken.code, 4);
    assert.match(noToken.stderr, /hub answered 401 unauthorized: a token is required/);

    const port = await freeTcpPort(); // released at once: nothing listens there
    const noHub = await runCli(['send', '--hub', `http://127.0.0.1:${port}`, '--show', 'cli-show', '--type', 'agent_ready']);
    assert.equal(noHub.code, 3);
    assert.match(noHub.stderr, new RegExp(`cannot reach the hub at http://127\\.0\\.0\\.1:${port}: ECONNREFUSED`));
    const noHubListen = await runCli(['listen', '--hub', `http://127.0.0.1:${port}`, '--timeout', '30']);
    assert.equal(noHubListen.code, 3, 'a first connect that fails is fatal, not retried forever');

    const badFlag = await runCli(['send', '--hub', 'ftp://x', '--type', 'agent_ready']);
    assert.equal(badFlag.code, 2);
    assert.match(badFlag.stderr, /option '--hub <url>' argument 'ftp:\/\/x' is invalid\. must be an http/);

    const quiet = await runCli(['listen', '--hub', hub.url, '--token', staff, '--show', 'nobody-here', '--count', '1', '--timeout', '1']);
    assert.equal(quiet.code, 6);
    assert.match(quiet.stderr, /listen: 0 of 1 events within 1 s/);

    const help = await runCli(['simulate', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--rate <n> +events per second per show/);
  });

  it('simulate for 5 s plays 3 shows with every known event type its agent, viewers and shop post, each valid, numbered without gaps, each ended last', async () => {
    const shows = ['sim-a', 'sim-b', 'sim-c'];
    const client = listen(`${hub.url}/api/stream?shows=${shows.join(',')}`, { token: staff });
    await client.opened();
    const run = await runCli(['simulate', '--hub', hub.url, '--token', agent, '--show', shows.join(','), '--rate', '10', '--duration', '5']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, new RegExp(`simulate: done, ${knownEventTypes.length - hubPublishedTypes.length} event types, every show ended`));
    const ended = () => shows.every((s) => client.events.some((e) => e.data.show === s && e.data.type === 'show_ended'));
    await client.until(ended, 30_000, 'show_ended for every show');
    client.close();

    for (const show of shows) {
      // What the simulator sent: the hub answers each show_ended with a show_summary of its own.
      const events = client.events.filter((e) => e.data.show === show && !(e.data.type === 'show_summary' && e.data.source === 'admin:summary')).map((e) => e.data);
      for (const e of events) {
        const r = parseEventInput(e);
        assert.ok(r.ok, `${show} ${e.type} #${e.id} is valid: ${JSON.stringify(!r.ok && r.issues)}`);
      }
      const types = new Set(events.map((e) => e.type));
      assert.deepEqual(knownEventTypes.filter((t) => !types.has(t) && !(hubPublishedTypes as readonly string[]).includes(t)), [], `${show} played every known type but the hub's own`);
      assert.deepEqual(events.map((e) => e.seq), events.map((_, i) => i + 1), `${show}: seq 1..n, nothing lost or repeated`);
      assert.equal(events.at(-1)!.type, 'show_ended');
      // What goes on the carousel was created earlier in the same show.
      const created = new Set<string>();
      for (const e of events) {
        if (e.type === 'product_created') created.add(e.product.id);
        if (e.type === 'product_added_to_show') assert.ok(created.has(e.productId), `${e.productId} was created before it was added`);
      }
      assert.ok(events.some((e) => e.type === 'transcript' && e.role === 'user' && e.text.length > 20), 'the host says real sentences');
    }
  });
});
