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
  };
}

export type RedisKeys = ReturnType<typeof redisKeys>;
