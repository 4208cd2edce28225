import type { IngestInterceptor } from '../embedded-broker.js';

/**
 * Where an edge of a cluster puts the device messages it accepts, instead of this node's inbox:
 * the shared input log (`edge/`, ARCHITECTURE.md §9). Provided only on such an edge; the broker
 * then runs on the main thread, where the log's connection and the device directory are.
 */
export abstract class DeviceMessageSink {
  abstract readonly ingest: IngestInterceptor;
}
