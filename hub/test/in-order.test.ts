import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import websocket from '@fastify/websocket';
import Fastify from 'fastify';
import WebSocket from 'ws';
import { inOrderPerConnection } from '../src/server/in-order.js';
import { parseResponses, rawConnect } from '@showwire/testkit';

/**
 * The in-order hook on a bare Fastify server: it must not hold requests that are not queued
 * behind another answer, such as a WebSocket upgrade (@fastify/websocket makes its own response
 * outside Node's queue; the live-sessions route is one).
 */
describe('requests in order per connection', () => {
  it('lets a WebSocket upgrade through, and still orders pipelined requests', async () => {
    const app = Fastify();
    inOrderPerConnection(app);
    await app.register(websocket);
    const order: string[] = [];
    app.get('/ws', { websocket: true }, (socket) => socket.send('hello'));
    app.get('/slow', async () => {
      order.push('slow start');
      await new Promise((r) => setTimeout(r, 200));
      order.push('slow end');
      return { ok: 'slow' };
    });
    app.get('/fast', async () => {
      order.push('fast');
      return { ok: 'fast' };
    });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const ws = new WebSocket(`${url.replace('http', 'ws')}/ws`);
      const greeting = await new Promise<string>((resolve, reject) => {
        ws.once('message', (m) => resolve((m as Buffer).toString()));
        ws.once('error', reject);
        setTimeout(() => reject(new Error('the upgrade hung')), 5000).unref();
      });
      ws.close();
      assert.equal(greeting, 'hello');

      const c = await rawConnect(url);
      c.socket.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /fast HTTP/1.1\r\nHost: x\r\n\r\n');
      const answers = parseResponses(await c.until((t) => parseResponses(t).length === 2, 'two answers'));
      c.socket.destroy();
      assert.deepEqual(answers.map((a) => JSON.parse(a.body).ok), ['slow', 'fast']);
      assert.deepEqual(order, ['slow start', 'slow end', 'fast'], 'the second request ran after the first was answered');
    } finally {
      await app.close();
    }
  });
});
