import { Injectable } from '@nestjs/common';
import { AlertsService } from '#src/alerts/alerts.service.js';
import { Clock } from '#src/common/clock.js';
import { DomainError } from '#src/common/domain-error.js';
import { shipmentRecordInput } from '#src/records/shipment-record.input.js';
import { ProfilesService } from '#src/profiles/profiles.service.js';
import { JourneySites } from '#src/journeys/journey-sites.service.js';
import type { Shipment } from '#src/shipments/shipment.types.js';
import { ShipmentsService } from '#src/shipments/shipments.service.js';
import { TelemetryReader } from '#src/telemetry/telemetry.ports.js';
import { readWholeHistory } from './history-pages.util.js';
import { RecordDispositionsRepository, type ConfirmedDisposition } from './record-dispositions.repository.js';
import type { Disposition, ShipmentRecord, ShipmentRecordInput } from './record.types.js';
import { buildShipmentRecord, seriesWithin } from './shipment-record.builder.js';
import { temperatureSeriesCsv } from './temperature-csv.serializer.js';

/** Rows per history page (the InfluxQL reader's own ceiling is 100,000). */
const PAGE_ROWS = 50_000;
/** A year at one reading every 10 s is 3.2 M rows; beyond this the record says it is truncated. */
const MAX_ROWS = 5_000_000;
const MAX_ALERTS = 10_000;

/** The record as served: the computed disposition, and the planner's decisions on it. */
export type ServedRecord = ShipmentRecord & {
  readingsTruncated: boolean;
  disposition: ShipmentRecord['disposition'] & {
    computed: Disposition;
    confirmed: ConfirmedDisposition | null;
    history: ConfirmedDisposition[];
  };
};

/**
 * The compliance record of a shipment (ARCHITECTURE.md §6), computed on demand from stored data only:
 * the series through the reader port (either store gives the same record), the profile with the
 * shipment's overrides, the shipment's alerts, every site (for where shocks happened).
 * The mapping to the builder's input is the auditors' export's, so both documents agree.
 */
@Injectable()
export class ShipmentRecordService {
  constructor(
    private readonly shipments: ShipmentsService,
    private readonly telemetry: TelemetryReader,
    private readonly profiles: ProfilesService,
    private readonly alerts: AlertsService,
    private readonly sites: JourneySites,
    private readonly dispositions: RecordDispositionsRepository,
    private readonly clock: Clock,
  ) {}

  async record(id: string): Promise<ServedRecord> {
    const { input, truncated } = await this.input(await this.shipments.require(id));
    const built = buildShipmentRecord(input);
    const history = await this.dispositions.history(id);
    return {
      ...built,
      readingsTruncated: truncated,
      disposition: {
        ...built.disposition,
        computed: built.disposition.decision,
        confirmed: history.at(-1) ?? null,
        history,
      },
    };
  }

  /** The temperature series of the record's period as CSV (RFC 4180). */
  async csv(id: string): Promise<string> {
    const { input } = await this.input(await this.shipments.require(id));
    const series = seriesWithin(input.readings, input.period.from, input.period.to);
    return temperatureSeriesCsv(series, { minC: input.profile.minC, maxC: input.profile.maxC });
  }

  /** A planner confirms or overrides the computed disposition, once the goods have arrived. */
  async decide(id: string, decision: Disposition, reason: string, by: string): Promise<ServedRecord> {
    const shipment = await this.shipments.require(id);
    if (shipment.status !== 'arrived' && shipment.status !== 'closed') {
      throw new DomainError(
        'conflict',
        'shipments.record-not-final',
        `shipment ${id} is ${shipment.status}: a disposition is decided once it has arrived`,
      );
    }
    const computed = buildShipmentRecord((await this.input(shipment)).input).disposition.decision;
    await this.dispositions.add(id, { decision, reason, computed, by, at: this.clock.now() });
    return this.record(id);
  }

  private async input(s: Shipment): Promise<{ input: ShipmentRecordInput; truncated: boolean }> {
    const now = this.clock.now();
    const end = s.closedAt ?? s.cancelledAt;
    // Readings carry the shipment's id from its creation until it is closed.
    const from = Math.min(Date.parse(s.createdAt), Date.parse(s.departedAt ?? s.plannedDeparture));
    const to = (end === undefined ? now : Date.parse(end)) + 1;
    const { rows, truncated } =
      from < to
        ? await readWholeHistory(
            this.telemetry,
            { containerId: s.containerId, from, to },
            PAGE_ROWS,
            MAX_ROWS,
          )
        : { rows: [], truncated: false };
    const input = shipmentRecordInput({
      shipment: s,
      profile: this.profiles.require(s.profileId),
      sites: this.sites.all(),
      readings: rows.filter((r) => r.shipmentId === s.id),
      alerts: await this.alerts.ofShipment(s.id, MAX_ALERTS),
      nowMs: now,
    });
    return { input, truncated };
  }
}
