/**
 * SSE wire frames. Each event's frame is encoded once and written to every connection that
 * wants it. Events go out as unnamed messages so the guides' `onmessage` + `switch (data.type)`
 * clients keep working.
 */
export const eventFrame = (id: string, json: string) => `id: ${id}\ndata: ${json}\n\n`;

/** Messages without `id:`, so they never move a client's resume point. */
export const dataFrame = (data: unknown) => `data: ${JSON.stringify(data)}\n\n`;

export const heartbeatFrame = () => dataFrame({ type: 'heartbeat', timestamp: Date.now() / 1000 });

export const retryFrame = (ms: number) => `retry: ${ms}\n\n`;
