import { Injectable, Logger } from '@nestjs/common';
import type { LogPosition } from '#src/contracts/log-position.js';
import type { Reading } from '#src/contracts/reading.js';
import { LiveStateService } from '#src/fleet/live-state.service.js';
import { AcceptedReadingsHandler } from '#src/ingestion/accepted-readings.port.js';
import { JourneyTracker } from '#src/journeys/journey-tracker.service.js';
import { RuleEngine } from '#src/rules/rule-engine.service.js';
import { TelemetryWriter } from '#src/telemetry/telemetry.ports.js';
import { PartitionGate } from './partition.gate.js';

/**
 * The way of a reading after it was accepted, in the order it runs (ARCHITECTURE.md §2). Before
 * this: the transport hands a message to `IngestionService`, which decodes and validates it
 * (`ingestion/json/`, `ingestion/lorawan/`, `reading-checks.ts`); `ReadingPipeline` attributes each
 * reading (device → container at measuredAt → shipment, profile, site) and drops repeats. Here:
 *
 * 1. store: the telemetry writer takes the readings (batched at its edge);
 *    then only the readings of the partitions this processor owns, not yet reflected in their
 *    partition's checkpointed state (a replay), go on ({@link PartitionGate});
 * 2. apply to live state (last values per container);
 * 3. rules: conclusions leave as `rule.concluded` (alerts act on them);
 * 4. journeys: geofences, motion, dwell; status transitions and journey alerts leave as
 *    `shipment.status-changed` and `rule.concluded`.
 *
 * Effects leave through the event map (common/events/event-map.ts), synchronously, so an alert
 * is opened before the next reading is judged. Hot path: five calls per message.
 */
@Injectable()
export class ReadingProcessor extends AcceptedReadingsHandler {
  private readonly logger = new Logger('Ingestion');

  constructor(
    private readonly writer: TelemetryWriter,
    private readonly liveState: LiveStateService,
    private readonly rules: RuleEngine,
    private readonly journeys: JourneyTracker,
    private readonly gate: PartitionGate,
  ) {
    super();
  }

  handle(topic: string, accepted: readonly Reading[], position: LogPosition): void {
    // Storage first, and its failure is the caller's: whatever the broker acknowledged must end
    // stored or refused with a reason.
    this.writer.write(accepted);
    const readings = this.gate.admit(accepted, position);
    if (readings.length === 0) return;
    // The readings are stored: a failure of a later stage is logged, and neither refuses them
    // nor keeps them from the stages after it.
    try {
      for (const reading of readings) this.liveState.apply(reading);
    } catch (err) {
      this.failed('live state', topic, readings, err);
    }
    try {
      this.rules.evaluate(readings);
    } catch (err) {
      this.failed('rules', topic, readings, err);
    }
    try {
      this.journeys.onReadings(readings);
    } catch (err) {
      this.failed('journeys', topic, readings, err);
    }
  }

  private failed(stage: string, topic: string, readings: readonly Reading[], err: unknown): void {
    this.logger.error(`${stage} of ${readings.length} readings of ${topic} failed: ${String(err)}`);
  }
}
