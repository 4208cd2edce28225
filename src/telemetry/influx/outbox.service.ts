import { Injectable, Logger, NotFoundException } from '@nestjs/common';
import { Metrics } from '#src/common/metrics.js';
import { InfluxConfig } from './influx.config.js';
import { TelemetryWriter } from '../telemetry.ports.js';
import type { DeadLetterSummary, DroppedDeadLetters } from './influx-dead-letter.store.js';
import { InfluxTelemetryWriter, type InfluxWriterStatus } from './influx-telemetry.writer.js';

export interface OutboxOverview {
  outbox: InfluxWriterStatus;
  deadLetters: DeadLetterSummary[];
  /** Cursor for the next page of dead letters (pass as `after`); absent on the last page. */
  next?: number;
}

/**
 * What an operator can do with the InfluxDB outbox and its dead letters (REST, admin only), and
 * the operators' bound on dead letters (INFLUX_DEAD_LETTER_MAX_LINES), like the outbox's own.
 */
@Injectable()
export class OutboxService {
  private readonly logger = new Logger('InfluxTelemetryWriter');
  private readonly writer: InfluxTelemetryWriter;

  constructor(writer: TelemetryWriter, config: InfluxConfig, metrics: Metrics) {
    if (!(writer instanceof InfluxTelemetryWriter)) {
      throw new Error('OutboxService needs the InfluxDB telemetry writer (INFLUX_URL set)');
    }
    this.writer = writer;
    const dropped = metrics.counter(
      'convoi_influx_dead_letters_dropped_lines_total',
      'Dead-lettered lines dropped because the dead letters reached INFLUX_DEAD_LETTER_MAX_LINES',
    );
    const max = config.INFLUX_DEAD_LETTER_MAX_LINES;
    writer.outbox.boundDeadLetters(max, (d: DroppedDeadLetters) => {
      dropped.inc(d.lines);
      this.logger.error(
        { droppedLines: d.lines, droppedLetters: d.letters, maxLines: max },
        `InfluxDB DEAD LETTERS FULL (INFLUX_DEAD_LETTER_MAX_LINES=${max}): DROPPED the ${d.lines} oldest lines (${d.letters} letters, refused since ${new Date(d.oldestCreatedAt).toISOString()})`,
      );
    });
  }

  async overview(limit: number, after = 0): Promise<OutboxOverview> {
    const deadLetters = await this.writer.outbox.listDeadLetters(limit + 1, after);
    const page = deadLetters.slice(0, limit);
    const overview: OutboxOverview = { outbox: this.writer.status(), deadLetters: page };
    if (deadLetters.length > limit) overview.next = page[page.length - 1].id;
    return overview;
  }

  /**
   * Puts a dead letter back at the end of the outbox, to be sent again (after a fix upstream). With
   * PostgreSQL the lease holder replays it, at its next count of the outbox if not this node.
   */
  async replayDeadLetter(id: number): Promise<{ id: number; lines: number }> {
    const moved = await this.writer.outbox.requeueDeadLetter(id);
    if (!moved) throw new NotFoundException(`no dead letter ${id}`);
    this.writer.wake();
    return { id, lines: moved.lines };
  }

  async deleteDeadLetter(id: number): Promise<void> {
    if (!(await this.writer.outbox.deleteDeadLetter(id))) throw new NotFoundException(`no dead letter ${id}`);
  }
}
