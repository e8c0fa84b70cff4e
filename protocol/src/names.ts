import { z } from 'zod';

/**
 * A show id is the LiveKit room name. We accept what LiveKit room names usually are
 * (letters, digits, `_ . : -`) and nothing that would need escaping in a URL path,
 * a SQL LIKE or a Redis key.
 */
export const SHOW_ID_MAX_LENGTH = 128;
export const SHOW_ID_PATTERN = new RegExp(`^[A-Za-z0-9][A-Za-z0-9_.:-]{0,${SHOW_ID_MAX_LENGTH - 1}}$`);
export const showId = z
  .string()
  .regex(SHOW_ID_PATTERN, `must be 1-${SHOW_ID_MAX_LENGTH} characters of letters, digits, "_", ".", ":" or "-", starting with a letter or digit`);

/** Event types: lower-case, so `switch (data.type)` in clients stays predictable. */
export const EVENT_TYPE_PATTERN = /^[a-z][a-z0-9_.-]{0,63}$/;
export const eventType = z
  .string()
  .regex(EVENT_TYPE_PATTERN, 'must match ^[a-z][a-z0-9_.-]{0,63}$ (lower-case letter first, then letters, digits, "_", ".", "-")');

/** The show a publisher posts to when it names none (the single-room agents of the guides). */
export const DEFAULT_SHOW = 'default';
