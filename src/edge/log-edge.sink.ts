import { Injectable, Logger } from '@nestjs/common';
import type { IngestInterceptor } from '#src/broker/embedded-broker.js';
import { DeviceMessageSink } from '#src/broker/runtime/device-message.sink.js';
import { Clock } from '#src/common/clock.js';
import { Metrics } from '#src/common/metrics.js';
import { RateLimitedLogger } from '#src/common/rate-limited.logger.js';
import { DeviceDirectory } from '#src/fleet/device-directory.service.js';
import { InputLogAppender } from '#src/log/input-log.port.js';
import { attribute } from './device-attribution.js';

/**
 * A cluster edge's way for a device message (ARCHITECTURE.md §9): attributed to the container its
 * device was bound to ({@link attribute}), appended to that container's partition of the shared
 * log, and acknowledged to the device only once the log has stored it (with the other messages
 * of its partition in this turn: one log message for them all, so all their PUBACKs wait for its
 * acknowledgement). An append that fails (log away, full, or slower than NATS_APPEND_TIMEOUT_MS)
 * acknowledges nothing: the broker closes the connection without a PUBACK and the device sends
 * the message again. If the first copy did get in, both are in the log, and the processor drops
 * the second's readings as repeats (same device, instant and values: `ReadingDedupe`). QoS 0
 * promises nothing: the message goes on at once and its append's failure is only counted and
 * logged.
 */
@Injectable()
export class LogEdgeSink extends DeviceMessageSink {
  readonly ingest: IngestInterceptor;

  constructor(appender: InputLogAppender, directory: DeviceDirectory, metrics: Metrics, clock: Clock) {
    super();
    const appends = metrics.counter(
      'convoi_edge_log_appends_total',
      'Device messages the edge appended to the shared log, by outcome (failed: no PUBACK)',
      ['outcome'],
    );
    const appended = appends.labels('appended');
    const failed = appends.labels('failed');
    const failures = new RateLimitedLogger(new Logger('Edge'), clock, 'log append failures');
    this.ingest = (topic, payload, acknowledge, origin) => {
      const receivedAt = Date.now();
      const { deviceId, containerId } = attribute(directory, topic, receivedAt);
      const stored = appender.append({ containerId, deviceId, topic, payload, receivedAt });
      if (origin.qos === 0) acknowledge();
      stored.then(
        () => {
          appended.inc();
          if (origin.qos !== 0) acknowledge();
        },
        (err: unknown) => {
          failed.inc();
          failures.warn({ deviceId, topic, reason: (err as Error).message }, 'Log append failed: no PUBACK');
          if (origin.qos !== 0) acknowledge(new Error('the log did not store the message'));
        },
      );
    };
  }
}
