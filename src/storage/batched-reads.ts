/** Keys one query reads at most: a bounded statement (its IN list) whatever the request rate. */
export const MAX_KEYS_PER_READ = 500;

interface Waiter<V> {
  resolve: (value: V | undefined) => void;
  reject: (err: unknown) => void;
}

/**
 * Point reads by key, sent as one query for every key asked while the queries before are in
 * flight (at most `maxInFlight` of them). A read asked when none is in flight goes at once, so a
 * quiet store answers in one round trip; under load (1,000 REST reads a second against
 * PostgreSQL on a busy machine) each round trip carries the reads that arrived during the last
 * one, instead of each read taking a pool connection and a server process of its own and the
 * next ones queueing for the pool behind them and behind the writers (PERFORMANCE.md, "REST on
 * PostgreSQL"). A read joins only a query not sent yet, so it sees every write that completed
 * before it was asked.
 */
export class BatchedReads<K, V> {
  private waiting = new Map<K, Waiter<V>[]>();
  private inFlight = 0;

  constructor(
    private readonly readMany: (keys: K[]) => Promise<ReadonlyMap<K, V>>,
    private readonly maxInFlight = 2,
  ) {}

  /** The value stored under `key`, or undefined; rejects when its query failed. */
  read(key: K): Promise<V | undefined> {
    return new Promise<V | undefined>((resolve, reject) => {
      const waiters = this.waiting.get(key);
      if (waiters === undefined) this.waiting.set(key, [{ resolve, reject }]);
      else waiters.push({ resolve, reject });
      this.send();
    });
  }

  private send(): void {
    while (this.inFlight < this.maxInFlight && this.waiting.size > 0) {
      const batch = new Map<K, Waiter<V>[]>();
      for (const [key, waiters] of this.waiting) {
        if (batch.size === MAX_KEYS_PER_READ) break;
        batch.set(key, waiters);
      }
      for (const key of batch.keys()) this.waiting.delete(key);
      this.inFlight++;
      void this.readMany([...batch.keys()])
        .then(
          (found) => {
            for (const [key, waiters] of batch) for (const w of waiters) w.resolve(found.get(key));
          },
          (err: unknown) => {
            for (const waiters of batch.values()) for (const w of waiters) w.reject(err);
          },
        )
        .finally(() => {
          this.inFlight--;
          this.send();
        });
    }
  }
}
