/** The Redis log's key names (redis-scripts.ts describes what each holds). */
export function redisKeys(prefix: string) {
  return {
    prefix,
    epoch: `${prefix}epoch`,
    seq: `${prefix}seq`,
    log: `${prefix}log`,
    shows: `${prefix}shows`,
    pruned: `${prefix}pruned`,
    probe: `${prefix}probe`,
    show: (show: string) => `${prefix}show:${show}`,
    eids: (show: string) => `${prefix}eids:${show}`,
    // The webhook outbox (webhooks/redis-outbox.ts): endpoints (hash id → JSON), the delivery
    // counter, due times (zset; a claimed delivery's score is its lease end), every delivery
    // (zset by id), one delivery (hash), its attempts (list), an endpoint's deliveries (zset).
    whEndpoints: `${prefix}wh:endpoints`,
    whSeq: `${prefix}wh:dseq`,
    whDue: `${prefix}wh:due`,
    /** One endpoint's share of `whDue` (same scores), so a worker claims per endpoint (fair share). */
    whDueOf: (endpointId: string) => `${prefix}wh:due:${endpointId}`,
    whAll: `${prefix}wh:all`,
    whDelivery: (id: string | number) => `${prefix}wh:d:${id}`,
    whAttempts: (id: string | number) => `${prefix}wh:a:${id}`,
    whByEndpoint: (endpointId: string) => `${prefix}wh:ep:${endpointId}`,
  };
}

export type RedisKeys = ReturnType<typeof redisKeys>;
