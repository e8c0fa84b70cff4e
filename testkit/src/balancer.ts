import { connect, createServer, type Socket } from 'node:net';

/**
 * A TCP load balancer in front of several hubs, the way nginx fails over: each new connection
 * goes to the first target that accepts it, in order, so when a hub dies its clients' reconnects
 * land on the next one. Clients reconnect by themselves and send their own Last-Event-ID.
 */
export async function startBalancer(targets: string[]) {
  const addrs = targets.map((t) => new URL(t)).map((u) => ({ host: u.hostname, port: Number(u.port) }));
  const live = new Set<Socket>();
  const server = createServer((client) => {
    client.pause();
    live.add(client);
    client.on('error', () => {}).on('close', () => live.delete(client));
    const attempt = (i: number) => {
      if (i >= addrs.length || client.destroyed) return client.destroy();
      const upstream = connect(addrs[i]!.port, addrs[i]!.host);
      upstream.once('error', () => attempt(i + 1));
      upstream.once('connect', () => {
        upstream.removeAllListeners('error');
        live.add(upstream);
        const drop = () => (client.destroy(), upstream.destroy(), live.delete(upstream));
        upstream.on('error', drop).on('close', drop);
        client.on('close', drop);
        client.pipe(upstream).pipe(client);
        client.resume();
      });
    };
    attempt(0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of live) s.destroy();
        server.close(() => resolve());
      }),
  };
}
