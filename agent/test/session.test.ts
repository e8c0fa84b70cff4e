import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { initializeLogger, voice } from '@livekit/agents';
import * as openai from '@livekit/agents-plugin-openai';
import { LIB_LOG_LEVEL, startHub, type TestHub, listen, startFakeOpenAI, type FakeOpenAI } from '@showwire/testkit';
import { showAgent } from '../src/agent.js';
import { bridgeSession } from '../src/bridge.js';
import { createHubClient } from '../src/hub-client.js';

initializeLogger({ pretty: false, level: LIB_LOG_LEVEL });

/**
 * The real framework without a room: an AgentSession driven by text (`session.run`), its LLM the
 * OpenAI plugin pointed at a local fake that calls the tools, its tools calling a real hub.
 */
describe('agent session → hub (no room)', () => {
  let hub: TestHub;
  let fake: FakeOpenAI;
  before(async () => {
    hub = await startHub();
    fake = await startFakeOpenAI();
  });
  after(async () => {
    await fake.close();
    await hub.close();
  });

  async function runSession(show: string, userInput: string) {
    const token = await hub.token('agent', [show], 3600, 'showwire-voice-agent');
    const client = createHubClient({ url: hub.url, token, show });
    const session = new voice.AgentSession({ llm: new openai.LLM({ apiKey: 'test', baseURL: fake.baseURL, model: 'fake' }) });
    const bridge = bridgeSession(session, client, { userIdentity: () => 'host-1', agentIdentity: () => 'agent-1' });
    await session.start({ agent: showAgent({ hub: client, token }, { title: 'Summer drop' }) });
    session.output.transcription = bridge.transcriptionOutput(session.output.transcription);
    bridge.ready();
    await session.run({ userInput }).wait();
    await session.close();
    return client.close(10_000);
  }

  it('a spoken request becomes tool_call, product_created, product_added_to_show and transcripts, in causal order', async () => {
    const staff = await hub.token('staff');
    const sse = listen(`${hub.url}/api/shows/show-a/stream`, { token: staff });
    await sse.opened();
    const stats = await runSession('show-a', 'Please add the blue linen shirt for 49.50 euros and show it.');
    assert.equal(stats.dropped, 0);
    const types = () => sse.events.map((e) => e.data.type);
    await sse.until(() => sse.events.some((e) => e.data.type === 'transcript' && e.data.role === 'agent' && e.data.final), 30_000, 'agent final transcript');
    sse.close();

    const events = sse.events.map((e) => e.data);
    const index = (pred: (e: any) => boolean, what: string) => {
      const i = events.findIndex(pred);
      assert.ok(i >= 0, `missing ${what}; got ${types().join(', ')}`);
      return i;
    };
    const userSaid = index((e) => e.type === 'transcript' && e.role === 'user' && e.final, 'user transcript');
    const created = index((e) => e.type === 'product_created', 'product_created');
    const createCall = index((e) => e.type === 'tool_call' && e.name === 'create_product', 'tool_call create_product');
    const added = index((e) => e.type === 'product_added_to_show', 'product_added_to_show');
    const addCall = index((e) => e.type === 'tool_call' && e.name === 'add_product_to_show', 'tool_call add_product_to_show');
    const agentSaid = index((e) => e.type === 'transcript' && e.role === 'agent' && e.final, 'agent transcript');
    assert.ok(userSaid < created && created < createCall && createCall < added && added < addCall && addCall < agentSaid, `order: ${types().join(', ')}`);

    const e = events;
    assert.equal(e[userSaid].text, 'Please add the blue linen shirt for 49.50 euros and show it.');
    assert.equal(e[userSaid].participant, 'host-1');
    assert.ok(e[userSaid].itemId);
    const product = e[created].product;
    assert.deepEqual({ name: product.name, price: product.price, currency: product.currency }, { name: 'Linen Shirt', price: 49.5, currency: 'EUR' });
    assert.equal(e[created].source, 'agent:showwire-voice-agent');
    assert.deepEqual(e[createCall].args, { name: 'Linen Shirt', price: 49.5, currency: 'EUR', description: 'Blue linen, all sizes' });
    assert.equal(e[createCall].isError, false);
    assert.deepEqual(e[createCall].output.product, product);
    assert.equal(typeof e[createCall].durationMs, 'number');
    assert.equal(e[added].productId, product.id);
    assert.deepEqual(e[addCall].args, { product_id: product.id });
    assert.equal(e[agentSaid].text, 'Done! The Linen Shirt is on the carousel now.');
    const interim = events.filter((x) => x.type === 'transcript' && x.role === 'agent' && !x.final);
    assert.ok(interim.length > 0, 'agent text is published as it is generated');
    assert.ok(interim.every((x) => x.itemId === e[agentSaid].itemId && e[agentSaid].text.startsWith(x.text)), 'interim text settles into the final line of the same item');
    const started = index((x) => x.type === 'agent_speech_started', 'agent_speech_started');
    const finished = index((x) => x.type === 'agent_speech_finished', 'agent_speech_finished');
    assert.ok(addCall < started && started < finished);
    assert.equal(e[finished].interrupted, false);
    assert.ok(events.some((x) => x.type === 'agent_ready'));
    assert.ok(events.some((x) => x.type === 'agent_state' && x.state === 'thinking'));
    // Every event arrived once.
    assert.equal(new Set(sse.events.map((x) => x.id)).size, sse.events.length);
  });

  it('a failing tool tells the model a ToolError and publishes tool_call with isError', async () => {
    // The fake asks for a product on a show this agent's token does not cover → the hub says 403.
    const staff = await hub.token('staff');
    const show = 'show-b';
    const sse = listen(`${hub.url}/api/shows/${show}/stream`, { token: staff });
    await sse.opened();
    const token = await hub.token('agent', [show]);
    const client = createHubClient({ url: hub.url, token, show });
    const session = new voice.AgentSession({ llm: new openai.LLM({ apiKey: 'test', baseURL: fake.baseURL, model: 'fake' }) });
    bridgeSession(session, client);
    // The tools post to the hub with a token for another show: the hub refuses.
    const wrong = await hub.token('agent', ['elsewhere']);
    await session.start({ agent: showAgent({ hub: client, token: wrong }) });
    await session.run({ userInput: "Add a hat for 10 dollars" }).wait();
    await session.close();
    await client.close(10_000);
    await sse.until(() => sse.events.some((e) => e.data.type === 'tool_call'), 30_000, 'tool_call');
    await sse.until(() => sse.events.some((e) => e.data.type === 'transcript' && e.data.role === 'agent' && e.data.final), 30_000, 'agent reply');
    sse.close();
    const call = sse.events.find((e) => e.data.type === 'tool_call')!.data;
    assert.equal(call.name, 'create_product');
    assert.equal(call.isError, true);
    assert.match(String(call.output), /does not cover show "show-b"/);
    assert.ok(!sse.events.some((e) => e.data.type === 'product_created'));
    // What the model was told: the fake saw the ToolError's message as the tool output.
    const toolMessages = fake.requests.flatMap((r) => (r.body.messages ?? []) as any[]).filter((m) => m.role === 'tool');
    assert.ok(toolMessages.some((m) => /create_product failed: .*does not cover show/.test(JSON.stringify(m.content))), JSON.stringify(toolMessages));
    const reply = sse.events.find((e) => e.data.type === 'transcript' && e.data.role === 'agent')!.data;
    assert.equal(reply.text, 'Sorry, that did not work.');
  });
});
