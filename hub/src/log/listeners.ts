import type { AppendedRecord, AppendListener } from './event-log.js';

/** The `onAppend` listeners of a log, called in the order they were added. */
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
      for (const listener of listeners) listener(records);
    },
  };
}
