import { Injectable, Logger } from '@nestjs/common';
import { TopicFilterMatcher } from '#src/contracts/topic-filter.matcher.js';
import { TOPIC_FILTERS } from '#src/contracts/topics.js';
import { IngestionService } from './ingestion.service.js';

/** One topic filter consumed, and the service method its messages go to. */
export interface IngestionRoute {
  filter: string;
  matcher: TopicFilterMatcher;
  ingest(topic: string, payload: Buffer): unknown;
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
      route(TOPIC_FILTERS.deviceTelemetry, (topic, payload) => ingestion.ingestNative(topic, payload)),
      route(TOPIC_FILTERS.chirpstackUplink, (topic, payload) => ingestion.ingestChirpstack(topic, payload)),
      route(TOPIC_FILTERS.ttsUplink, (topic, payload) => ingestion.ingestTts(topic, payload)),
    ];
  }

  /**
   * Handles one message. A topic no filter matches is ignored (the broker hands over only the
   * consumed filters; a subscription delivers only its own). A message that throws is logged and
   * does not stop the ones after it.
   */
  consume(topic: string, payload: Buffer): void {
    try {
      for (const r of this.routes) {
        if (r.matcher.matches(topic)) {
          r.ingest(topic, payload);
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
