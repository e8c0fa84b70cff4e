import type { EventInput } from '@showwire/protocol';
import type { Principal } from '../auth/access.js';
import type { AppendedRecord } from '../log/event-log.js';

/** An event as a publisher hands it in: validated, with its show. */
export type HubInput = EventInput & { show: string };

/** Events a consumer derives from a batch, and the hub producer they are written as. */
export interface Derived {
  by: Principal;
  events: HubInput[];
}

/**
 * One step after the log: hears every stored record once, in id order (on Redis, every hub's,
 * from the stream reader). It may answer events it derives; they are published after the batch
 * that caused them, through the same pipeline. It must not throw (a throw is logged and the
 * consumers after it still run).
 */
export interface Consumer {
  readonly name: string;
  apply(records: readonly AppendedRecord[]): Derived[] | void;
}
