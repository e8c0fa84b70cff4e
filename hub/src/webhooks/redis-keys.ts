/**
 * The webhook store's keys in Redis, beside the log's under the same prefix (so in Redis Cluster
 * they share its `{…}` hash tag and slot): endpoints (hash id → JSON) and their version (bumped
 * by every change that alters which events they take), the delivery counter, due times (zset; a
 * claimed delivery's score is its lease end), every delivery (zset by id), one delivery (hash),
 * its attempts (list), an endpoint's deliveries (zset).
 */
export function webhookKeys(prefix: string) {
  return {
    prefix,
    whEndpoints: `${prefix}wh:endpoints`,
    whVersion: `${prefix}wh:version`,
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
