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
  const journal = new IngestJournal(
    settings.dataDir,
    {
      committed,
      heldBack: (count) => heldBack.inc(count),
      depth: (unprocessed) => depth.set(unprocessed),
    },
    { highWater: settings.inboxHighWater },
  );
  const left = journal.replayLeftovers();
  if (left > 0) new Logger('Broker').warn(`Replaying ${left} acknowledged messages left by the last run`);
  return journal;
}
