/** A synchronous fan-out to the listeners of this process. A listener that throws does not stop the others. */
export interface InProcessHub<T> {
  publish(message: T): void;
  subscribe(listener: (message: T) => void): () => void;
  readonly size: number;
}

export function createInProcessHub<T>(): InProcessHub<T> {
  const listeners = new Set<(message: T) => void>();
  return {
    publish(message) {
      for (const listener of [...listeners]) {
        try {
          listener(message);
        } catch {
          // One broken connection must not keep the update from the others.
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    get size() {
      return listeners.size;
    },
  };
}
