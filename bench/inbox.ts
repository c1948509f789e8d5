/**
 * Messages from a worker or a child process, taken in order: next() resolves with the oldest
 * unread one, now or when it arrives. After fail() every pending and later next() rejects.
 */
export interface Inbox {
  push(message: unknown): void;
  fail(error: Error): void;
  next<T>(): Promise<T>;
}

export function createInbox(): Inbox {
  const queue: unknown[] = [];
  const waiters: Array<{ resolve: (m: unknown) => void; reject: (e: Error) => void }> = [];
  let failure: Error | null = null;
  return {
    push(message) {
      const w = waiters.shift();
      if (w) w.resolve(message);
      else queue.push(message);
    },
    fail(error) {
      failure ??= error;
      for (const w of waiters.splice(0)) w.reject(error);
    },
    next<T>(): Promise<T> {
      if (queue.length > 0) return Promise.resolve(queue.shift() as T);
      if (failure) return Promise.reject(failure);
      return new Promise<T>((resolve, reject) =>
        waiters.push({ resolve: resolve as (m: unknown) => void, reject }),
      );
    },
  };
}
