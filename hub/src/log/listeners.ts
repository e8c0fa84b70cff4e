import type { AppendedRecord, AppendListener } from './event-log.js';

/**
 * The `onAppend` listeners of a log. `emit` adds what each listener answers per record to the
 * record's `notified`, so `clients_notified` travels back to the appender as part of its result.
 */
export function createListeners() {
  const listeners = new Set<AppendListener>();
  return {
    add(listener: AppendListener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    get size() {
      return listeners.size;
    },
    emit(records: AppendedRecord[]): void {
      for (const listener of listeners) {
        const counts = listener(records);
        if (counts) records.forEach((r, i) => (r.notified += counts[i] ?? 0));
      }
    },
  };
}
