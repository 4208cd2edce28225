import { Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { hostname } from 'node:os';
import { configSliceProvider } from '#src/config/config-slice.js';
import { InputLogAppender, InputLogReader } from './input-log.port.js';
import { JetStreamLog } from './jetstream/jetstream-log.js';
import { LogConfig } from './log.config.js';

/** Closes the log's connection once the app's users of it (broker, processor) have stopped. */
@Injectable()
class InputLogConnection implements OnApplicationShutdown {
  constructor(private readonly log: JetStreamLog) {}

  async onApplicationShutdown(): Promise<void> {
    await this.log.close();
  }
}

/**
 * The shared input log of cluster mode (NATS JetStream, ARCHITECTURE.md §9), imported only when
 * `NATS_URL` is set (`app.module.ts`): one connection per process, opened at start (a server that
 * does not answer stops the start), the edge's {@link InputLogAppender} and the processor's
 * {@link InputLogReader} on it.
 */
@Module({
  providers: [
    configSliceProvider(LogConfig),
    {
      provide: JetStreamLog,
      useFactory: (config: LogConfig) => JetStreamLog.open(config, `convoi-${hostname()}-${process.pid}`),
      inject: [LogConfig],
    },
    { provide: InputLogAppender, useFactory: (log: JetStreamLog) => log.appender, inject: [JetStreamLog] },
    { provide: InputLogReader, useFactory: (log: JetStreamLog) => log.reader, inject: [JetStreamLog] },
    InputLogConnection,
  ],
  exports: [InputLogAppender, InputLogReader],
})
export class LogModule {}
