import { Injectable, Logger } from '@nestjs/common';
import type { LogPosition } from '#src/contracts/log-position.js';
import { TopicFilterMatcher } from '#src/contracts/topic-filter.matcher.js';
import { TOPIC_FILTERS } from '#src/contracts/topics.js';
import { IngestionService } from './ingestion.service.js';

/** One topic filter consumed, and the service method its messages go to. */
export interface IngestionRoute {
  filter: string;
  matcher: TopicFilterMatcher;
  ingest(topic: string, payload: Buffer, position: LogPosition): unknown;
}

/**
 * MQTT edge: hands each message, by the topic filter it matches, to the service. A plain
 * provider, called straight by both sources of messages: the inbox drain (embedded broker) and
 * Nest's MQTT transport (external broker), which subscribes to {@link routes}' filters.
 */
@Injectable()
export class IngestionConsumer {
  private readonly log = new Logger(IngestionConsumer.name);
  /** The filters consumed, tried in this order; the first that matches a topic takes it. */
  readonly routes: readonly IngestionRoute[];

  constructor(ingestion: IngestionService) {
    this.routes = [
      route(TOPIC_FILTERS.deviceTelemetry, (topic, payload, position) =>
        ingestion.ingestNative(topic, payload, position),
      ),
      route(TOPIC_FILTERS.chirpstackUplink, (topic, payload, position) =>
        ingestion.ingestChirpstack(topic, payload, position),
      ),
      route(TOPIC_FILTERS.ttsUplink, (topic, payload, position) =>
        ingestion.ingestTts(topic, payload, position),
      ),
    ];
  }

  /**
   * Handles one message. A topic no filter matches is ignored (the broker hands over only the
   * consumed filters; a subscription delivers only its own). A message that throws is logged and
   * does not stop the ones after it. `position` is the message's in the input log (the inbox id),
   * which the processor compares with its partitions' checkpoints; `UNPOSITIONED` when the
   * message comes from no log convoi replays (an external broker).
   */
  consume(topic: string, payload: Buffer, position: LogPosition): void {
    try {
      for (const r of this.routes) {
        if (r.matcher.matches(topic)) {
          r.ingest(topic, payload, position);
          return;
        }
      }
    } catch (err) {
      this.log.error({ topic, err }, 'Handling a message failed');
    }
  }
}

function route(filter: string, ingest: IngestionRoute['ingest']): IngestionRoute {
  return { filter, matcher: new TopicFilterMatcher(filter), ingest };
}
