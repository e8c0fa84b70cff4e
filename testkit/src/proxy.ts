import { connect, createServer, type Socket } from 'node:net';

/**
 * A TCP proxy in front of the hub that a test can sever, so a real client sees a dropped
 * connection mid-stream and reconnects by itself, as over a flaky network.
 */
export async function startProxy(target: string) {
  const { hostname, port } = new URL(target);
  const live = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(port), hostname);
    live.add(client);
    live.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      live.delete(client);
      live.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${addr.port}`,
    /** Drops every open connection through the proxy. */
    sever: () => {
      for (const s of [...live]) s.destroy();
      live.clear();
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of live) s.destroy();
        server.close(() => r());
      }),
  };
}
