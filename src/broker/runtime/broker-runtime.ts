import type { Clock } from '#src/common/clock.js';
import type { Metrics } from '#src/common/metrics.js';
import type { BrokerAuthDeps } from '../auth/broker-auth.hooks.js';
import type { BrokerSettings } from '../broker-settings.js';
import type { InboxMessage } from '../inbox/ingest-journal.js';

/** A message the platform itself publishes (alert events). */
export interface PlatformPublish {
  topic: string;
  payload: Buffer;
  qos: 0 | 1;
  retain: boolean;
}

/** The running embedded broker with its inbox, wherever it runs (main thread or its own). */
export interface BrokerRuntime {
  port(): number | undefined;
  tlsPort(): number | undefined;
  isListening(): boolean;
  /** Publishes as the platform; failures are logged, never thrown. */
  publish(message: PlatformPublish): void;
  /** Inbox messages up to `lastId` are stored downstream (flow control; told again, counted once). */
  complete(lastId: number): void;
  /** Inbox messages up to `position` are stored and checkpointed: the inbox deletes them. */
  forget(position: number): void;
  close(): Promise<void>;
}

export interface BrokerRuntimeDeps {
  settings: BrokerSettings;
  credentials: BrokerAuthDeps['store'];
  metrics: Metrics;
  clock: Clock;
  /** Messages the inbox committed (and, first, those the last run left), in id order. */
  committed: (messages: InboxMessage[]) => void;
}
