import { request, type ClientRequest } from 'node:http';

/**
 * A real NDJSON publish stream over HTTP/1.1: lines written as they come (cut anywhere), acks read
 * as they arrive, while the request is still open.
 */
export function openPublishStream(url: string, token?: string, contentType = 'application/x-ndjson') {
  const acks: any[] = [];
  let status = 0;
  let body = '';
  let ended = false;
  const req: ClientRequest = request(url, {
    method: 'POST',
    headers: { 'content-type': contentType, ...(token && { authorization: `Bearer ${token}` }) },
  });
  req.on('error', () => {});
  const answered = new Promise<void>((resolve) => {
    req.on('response', (res) => {
      status = res.statusCode ?? 0;
      res.setEncoding('utf8');
      let partial = '';
      res.on('data', (c: string) => {
        body += c;
        partial += c;
        const lines = partial.split('\n');
        partial = lines.pop()!;
        if (status === 200) for (const l of lines) if (l) acks.push(JSON.parse(l));
      });
      res.on('end', () => ((ended = true), resolve()));
      res.on('error', () => ((ended = true), resolve()));
      res.on('close', () => ((ended = true), resolve()));
    });
  });
  req.flushHeaders();
  return {
    acks,
    status: () => status,
    body: () => body,
    ended: () => ended,
    write: (text: string) => req.write(text),
    end: () => req.end(),
    answered,
  };
}
