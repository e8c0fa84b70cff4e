import { randomBytes } from 'node:crypto';

/**
 * Event ids are `<epoch>-<seq>`: the epoch names one log (a SQLite file, a Redis keyspace) and is
 * made when that log is created; `seq` counts up from 1 in acceptance order. A client's resume
 * point from another log (a wiped data dir, another Redis) is told apart by its epoch instead of
 * silently matching an unrelated sequence number (Centrifuge's `StreamPosition{Offset, Epoch}`).
 * Ids stay opaque to clients; only the log compares them.
 */
const ID = /^([a-z0-9]{8})-([1-9]\d{0,14})$/;

/** A fresh epoch: 8 characters of [a-z0-9], ~41 bits, so two logs practically never share one. */
export function newEpoch(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(8)].map((b) => alphabet[b % alphabet.length]).join('');
}

export const isEpoch = (s: string) => /^[a-z0-9]{8}$/.test(s);

export const formatId = (epoch: string, seq: number) => `${epoch}-${seq}`;

/** The parts of an id, or undefined when it has not the shape of one. */
export function parseId(id: string): { epoch: string; seq: number } | undefined {
  const m = ID.exec(id);
  return m ? { epoch: m[1]!, seq: Number(m[2]) } : undefined;
}

/** The sequence number of an id of `epoch`, or undefined for an id of another epoch or none. */
export function seqOf(epoch: string, id: string): number | undefined {
  const p = parseId(id);
  return p && p.epoch === epoch ? p.seq : undefined;
}

/** Orders ids of one log (protocol's one rule, shared with the dashboard and the tests). */
export { compareEventIds as compareIds } from '@showwire/protocol';

/**
 * What a resume point a client sent means to a log of `epoch`: `0` is "from the oldest retained
 * event", an id of this epoch is a position in this log, a well-formed id of another epoch (or a
 * bare number, as ids were before epochs) is another history; anything else is not an id.
 */
export type ResumePoint =
  | { kind: 'oldest' }
  | { kind: 'after'; id: string; seq: number }
  | { kind: 'other_epoch'; id: string }
  | { kind: 'invalid' };

export function classifyResumePoint(epoch: string, id: string): ResumePoint {
  if (id === '0') return { kind: 'oldest' };
  const p = parseId(id);
  if (p) return p.epoch === epoch ? { kind: 'after', id, seq: p.seq } : { kind: 'other_epoch', id };
  if (/^[1-9]\d{0,15}$/.test(id)) return { kind: 'other_epoch', id };
  return { kind: 'invalid' };
}
