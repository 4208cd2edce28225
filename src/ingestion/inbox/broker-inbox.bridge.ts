import { Injectable, OnModuleInit } from '@nestjs/common';
import { BrokerService } from '#src/broker/broker.service.js';
import { TOPIC_FILTERS } from '#src/contracts/topics.js';
import { IngestInbox } from './ingest-inbox.js';

/** Device messages the embedded broker receives go to the inbox before they are acknowledged. */
export const INGEST_TOPIC_FILTERS = [
  TOPIC_FILTERS.deviceTelemetry,
  TOPIC_FILTERS.chirpstackUplink,
  TOPIC_FILTERS.ttsUplink,
] as const;

/** Connects the embedded broker's publish hook to the write-ahead inbox. */
@Injectable()
export class BrokerInboxBridge implements OnModuleInit {
  constructor(
    private readonly broker: BrokerService,
    private readonly inbox: IngestInbox,
  ) {}

  onModuleInit(): void {
    this.broker.interceptIngest(INGEST_TOPIC_FILTERS, (topic, payload, acknowledge) =>
      this.inbox.append(topic, payload, acknowledge),
    );
  }
}
