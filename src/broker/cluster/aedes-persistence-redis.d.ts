// aedes-persistence-redis ships no types. What convoi uses of it: the factory, given its own
// ioredis connection, returns the callback-and-promise persistence Aedes 1.x takes.
declare module 'aedes-persistence-redis' {
  import type { Redis } from 'ioredis';

  interface AedesRedisPersistence {
    setup(broker: unknown): Promise<void>;
    /** Unsubscribes from the broker's broadcasts and disconnects `conn`. */
    destroy(): Promise<void>;
  }

  function aedesPersistenceRedis(options: {
    conn: Redis;
    /** Offline messages delivered on a CONNECT; the rest wait for the next one. */
    maxSessionDelivery?: number;
  }): AedesRedisPersistence;

  export = aedesPersistenceRedis;
}
