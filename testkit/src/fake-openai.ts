import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the three OpenAI endpoints the agent uses (OpenAI itself is unreachable
 * here): transcriptions (answers a fixed text), streaming chat completions (a script decides,
 * from the conversation so far, whether to call a tool or to answer in words), and speech (PCM,
 * 24 kHz 16-bit mono, as the plugin asks for).
 */
export interface ChatMessage {
  role: string;
  content?: string | null | Array<{ type: string; text?: string }>;
  tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }>;
  tool_call_id?: string;
}

export type ChatStep = { tool: string; args: Record<string, unknown> } | { text: string };

export interface FakeOpenAIOptions {
  /** What every transcription answers. */
  transcript?: string;
  /** Decides the next step from the messages; default: {@link shoppingScript}. */
  chat?: (messages: ChatMessage[]) => ChatStep;
  /** Length of each synthesized reply, in ms. */
  speechMs?: number;
}

export interface FakeOpenAI {
  /** The base URL to give the OpenAI plugin (`…/v1`). */
  baseURL: string;
  requests: Array<{ path: string; body: any }>;
  close: () => Promise<void>;
}

const text = (c: ChatMessage['content']) => (typeof c === 'string' ? c : (c ?? []).map((p) => p.text ?? '').join(''));

/**
 * The default script: the host asks for a product → `create_product`; its output names the new
 * product's id → `add_product_to_show` with it; that succeeded (or anything failed) → a spoken reply.
 */
export function shoppingScript(product = { name: 'Linen Shirt', price: 49.5, currency: 'EUR', description: 'Blue linen, all sizes' }) {
  return (messages: ChatMessage[]): ChatStep => {
    const last = messages.at(-1)!;
    if (last.role === 'user') return { tool: 'create_product', args: product };
    if (last.role === 'tool') {
      const call = messages.flatMap((m) => m.tool_calls ?? []).find((c) => c.id === last.tool_call_id);
      const output = text(last.content);
      const id = /prd_[0-9a-f-]{36}/.exec(output)?.[0];
      if (call?.function.name === 'create_product' && id) return { tool: 'add_product_to_show', args: { product_id: id } };
      if (call?.function.name === 'add_product_to_show' && !/error/i.test(output)) return { text: `Done! The ${product.name} is on the carousel now.` };
      return { text: 'Sorry, that did not work.' };
    }
    return { text: 'Okay.' };
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function chunk(id: string, delta: object, finish: string | null = null) {
  return `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: 'fake', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
}

/** A quiet 220 Hz tone: real audio frames for the agent's audio output to play out. */
function tone(ms: number): Buffer {
  const rate = 24_000;
  const n = Math.floor((rate * ms) / 1000);
  const buf = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) buf.writeInt16LE(Math.round(3000 * Math.sin((2 * Math.PI * 220 * i) / rate)), i * 2);
  return buf;
}

export async function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  const chat = options.chat ?? shoppingScript();
  const requests: FakeOpenAI['requests'] = [];
  let calls = 0;
  const respond = async (req: IncomingMessage, res: ServerResponse) => {
    const raw = await readBody(req);
    const path = (req.url ?? '').split('?')[0]!;
    const isJson = (req.headers['content-type'] ?? '').includes('json');
    const body = isJson ? JSON.parse(raw.toString() || '{}') : { bytes: raw.length };
    requests.push({ path, body });
    if (path.endsWith('/audio/transcriptions')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ text: options.transcript ?? '' }));
    } else if (path.endsWith('/audio/speech')) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(tone(options.speechMs ?? 600));
    } else if (path.endsWith('/chat/completions')) {
      const id = `chatcmpl-${++calls}`;
      const step = chat(body.messages as ChatMessage[]);
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      if ('tool' in step) {
        const callId = `call_${calls}`;
        res.write(chunk(id, { role: 'assistant', content: null, tool_calls: [{ index: 0, id: callId, type: 'function', function: { name: step.tool, arguments: '' } }] }));
        const args = JSON.stringify(step.args);
        // Arguments arrive in pieces, as OpenAI streams them.
        for (let i = 0; i < args.length; i += 16) res.write(chunk(id, { tool_calls: [{ index: 0, function: { arguments: args.slice(i, i + 16) } }] }));
        res.write(chunk(id, {}, 'tool_calls'));
      } else {
        res.write(chunk(id, { role: 'assistant', content: '' }));
        for (const word of step.text.split(/(?<= )/)) res.write(chunk(id, { content: word }));
        res.write(chunk(id, {}, 'stop'));
      }
      res.end('data: [DONE]\n\n');
    } else {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `no fake for ${path}` } }));
    }
  };
  const server: Server = createServer((req, res) => void respond(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
