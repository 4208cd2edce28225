import { Logger } from '@nestjs/common';
import type { Metrics } from '#src/common/metrics.js';
import { IngestJournal, type InboxMessage } from './ingest-journal.js';

/**
 * The inbox journal with its metrics, on whichever thread runs the broker, having handed
 * `committed` what the last run left unprocessed (before any new message can be appended).
 */
export function createIngestJournal(
  settings: { dataDir: string; inboxHighWater: number },
  metrics: Metrics,
  committed: (messages: InboxMessage[]) => void,
): IngestJournal {
  const depth = metrics.gauge(
    'convoi_ingest_inbox_depth',
    'Acknowledged messages not yet stored by the pipeline',
  );
  const heldBack = metrics.counter(
    'convoi_ingest_inbox_held_acks_total',
    'PUBACKs held back because the pipeline is behind (flow control)',
  );
  const failed = metrics.counter(
    'convoi_ingest_inbox_write_failures_total',
    'Messages the inbox could not write (a full disk): not acknowledged, sent again by QoS 1 devices',
  );
  const logger = new Logger('Broker');
  let loggedAt = -Infinity;
  const journal = new IngestJournal(
    settings.dataDir,
    {
      committed,
      heldBack: (count) => heldBack.inc(count),
      depth: (unprocessed) => depth.set(unprocessed),
      failed: (count, error) => {
        failed.inc(count);
        // Every group fails while the disk is full: one line every 10 s, the counter has the rest.
        if (Date.now() - loggedAt < 10_000) return;
        loggedAt = Date.now();
        logger.error({ messages: count, err: error }, 'Inbox write failed: messages not acknowledged');
      },
    },
    { highWater: settings.inboxHighWater },
  );
  const left = journal.replayLeftovers();
  if (left > 0) logger.warn({ messages: left }, 'Replaying acknowledged messages left by the last run');
  return journal;
}
