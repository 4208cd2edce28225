import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { LogConfig } from '../log.config.js';
import { JetStreamAppender } from './jetstream.appender.js';
import { JetStreamReader } from './jetstream.reader.js';
import { natsConnectOptions } from './nats-connect-options.js';
import { ensureReadingsStream } from './readings-stream.js';

/**
 * The input log on NATS JetStream: one connection, the readings stream made to match the
 * settings, and the two sides of the port on it. The connection reconnects for ever; an append
 * made while the server is away fails after its timeout (the PUBACK is held), and readers resume
 * where they were once the server is back.
 */
export class JetStreamLog {
  private constructor(
    private readonly connection: NatsConnection,
    readonly appender: JetStreamAppender,
    readonly reader: JetStreamReader,
  ) {}

  static async open(config: LogConfig, clientName = 'convoi'): Promise<JetStreamLog> {
    const options = natsConnectOptions(config);
    const connection = await connect({
      ...options,
      name: clientName,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      // Off, the client builds no Error (and stack) per request in case it fails: that was 30 %
      // of a request's client CPU (test/bench/jetstream-log.bench.ts).
      noAsyncTraces: true,
    }).catch((err: unknown) => {
      // The servers (never credentials: they are options) tell an operator which NATS refused.
      throw new Error(`cannot connect to NATS (${String(options.servers)}): ${(err as Error).message}`, {
        cause: err,
      });
    });
    try {
      const jsm = await jetstreamManager(connection);
      await ensureReadingsStream(jsm, {
        name: config.NATS_STREAM,
        replicas: config.NATS_REPLICAS,
        maxAgeHours: config.NATS_MAX_AGE_HOURS,
        maxMb: config.NATS_MAX_MB,
      });
      const js = jetstream(connection);
      const appender = new JetStreamAppender(connection, {
        stream: config.NATS_STREAM,
        partitions: config.PARTITIONS,
        window: config.NATS_APPEND_WINDOW,
        timeoutMs: config.NATS_APPEND_TIMEOUT_MS,
      });
      followConnection(connection, appender);
      return new JetStreamLog(connection, appender, new JetStreamReader(js, jsm, config.NATS_STREAM));
    } catch (err) {
      await connection.close();
      throw err;
    }
  }

  /** Flushes what was sent and closes the connection; stop readers first. */
  async close(): Promise<void> {
    this.appender.close();
    if (!this.connection.isClosed()) await this.connection.drain();
  }
}

/** Tells the appender when the connection goes down and comes back (until it is closed). */
function followConnection(connection: NatsConnection, appender: JetStreamAppender): void {
  const follow = async (): Promise<void> => {
    for await (const status of connection.status()) {
      if (status.type === 'disconnect') appender.setConnected(false);
      else if (status.type === 'reconnect') appender.setConnected(true);
    }
  };
  // The iterator ends when the connection closes; it does not throw.
  follow().catch(() => undefined);
}
