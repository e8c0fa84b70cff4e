import { compareEventIds } from '@showwire/protocol';

/** Hub ids in their order (protocol's rule, the one the hub uses). */
export const compareIds = compareEventIds;

/** The newest of some ids, or undefined when there are none. */
export function maxId(ids: Iterable<string | undefined>): string | undefined {
  let best: string | undefined;
  for (const id of ids) if (id !== undefined && (best === undefined || compareIds(id, best) > 0)) best = id;
  return best;
}
