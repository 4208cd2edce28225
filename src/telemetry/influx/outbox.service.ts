import { Injectable, NotFoundException } from '@nestjs/common';
import { TelemetryWriter } from '../telemetry.ports.js';
import type { DeadLetterSummary } from './influx-outbox.store.js';
import { InfluxTelemetryWriter, type InfluxWriterStatus } from './influx-telemetry.writer.js';

export interface OutboxOverview {
  outbox: InfluxWriterStatus;
  deadLetters: DeadLetterSummary[];
  /** Cursor for the next page of dead letters (pass as `after`); absent on the last page. */
  next?: number;
}

/** What an operator can do with the InfluxDB outbox and its dead letters (REST, admin only). */
@Injectable()
export class OutboxService {
  private readonly writer: InfluxTelemetryWriter;

  constructor(writer: TelemetryWriter) {
    if (!(writer instanceof InfluxTelemetryWriter)) {
      throw new Error('OutboxService needs the InfluxDB telemetry writer (INFLUX_URL set)');
    }
    this.writer = writer;
  }

  overview(limit: number, after = 0): OutboxOverview {
    const deadLetters = this.writer.outbox.listDeadLetters(limit + 1, after);
    const page = deadLetters.slice(0, limit);
    const overview: OutboxOverview = { outbox: this.writer.status(), deadLetters: page };
    if (deadLetters.length > limit) overview.next = page[page.length - 1].id;
    return overview;
  }

  /** Puts a dead letter back at the end of the outbox, to be sent again (after a fix upstream). */
  replayDeadLetter(id: number): { id: number; lines: number } {
    const moved = this.writer.outbox.requeueDeadLetter(id);
    if (!moved) throw new NotFoundException(`no dead letter ${id}`);
    this.writer.wake();
    return { id, lines: moved.lines };
  }

  deleteDeadLetter(id: number): void {
    if (!this.writer.outbox.deleteDeadLetter(id)) throw new NotFoundException(`no dead letter ${id}`);
  }
}
