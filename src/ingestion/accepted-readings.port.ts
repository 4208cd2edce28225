import type { LogPosition } from '#src/contracts/log-position.js';
import type { Reading } from '#src/contracts/reading.js';

/**
 * What happens to the readings of one message once the pipeline accepted them: storage, live
 * state, rules, journeys. Declared here and bound above (`processing/`), which may depend on
 * rules and journeys where ingestion may not (ARCHITECTURE.md §2, Modules).
 */
export abstract class AcceptedReadingsHandler {
  /**
   * Takes the accepted readings of one message (`topic`, at `position` of the input log). Throws
   * only when storage refused them; a later stage's failure is its own to log.
   */
  abstract handle(topic: string, readings: readonly Reading[], position: LogPosition): void;
}
