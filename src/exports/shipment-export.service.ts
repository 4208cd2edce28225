import { Injectable } from '@nestjs/common';
import { AlertsService } from '#src/alerts/alerts.service.js';
import { AuditLog } from '#src/audit/audit-log.service.js';
import { Clock } from '#src/common/clock.js';
import { SitesService } from '#src/fleet/sites.service.js';
import { ProfilesService } from '#src/profiles/profiles.service.js';
import { buildShipmentRecord } from '#src/records/shipment-record.builder.js';
import { ShipmentsService } from '#src/shipments/shipments.service.js';
import { MAX_QUERY_ROWS } from '#src/telemetry/influx/influxql.js';
import { TelemetryReader, type HistoryRow } from '#src/telemetry/telemetry.ports.js';
import type { Shipment } from '#src/shipments/shipment.types.js';
import { RECORD_ASSUMPTIONS, shipmentRecordInput } from '#src/records/shipment-record.input.js';
import type { ShipmentExport } from './shipment-export.types.js';

/** Most alerts one export carries (a shipment has a handful; this only bounds a pathological one). */
const MAX_ALERTS = 10_000;

/** Gathers a shipment's full record from every store, for an auditor. */
@Injectable()
export class ShipmentExportService {
  constructor(
    private readonly shipments: ShipmentsService,
    private readonly alerts: AlertsService,
    private readonly telemetry: TelemetryReader,
    private readonly profiles: ProfilesService,
    private readonly sites: SitesService,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  async export(id: string, actor: string): Promise<ShipmentExport> {
    const shipment = await this.shipments.require(id);
    const now = this.clock.now();
    const { rows, truncated } = await this.readings(shipment, now);
    const alerts = await this.alerts.ofShipment(id, MAX_ALERTS);
    const document: ShipmentExport = {
      format: 'convoi.shipment-export/1',
      exportedAt: new Date(now).toISOString(),
      exportedBy: actor,
      shipment,
      readings: rows,
      readingsTruncated: truncated,
      alerts: await Promise.all(
        alerts.map(async (a) => ({ ...a, history: await this.alerts.history(a.id) })),
      ),
      audit: await this.audit.forTarget(id),
    };
    try {
      const record = buildShipmentRecord(
        shipmentRecordInput({
          shipment,
          profile: this.profiles.require(shipment.profileId),
          sites: [
            await this.sites.require(shipment.originSiteId),
            await this.sites.require(shipment.destinationSiteId),
          ],
          readings: rows,
          alerts,
          nowMs: now,
        }),
      );
      document.record = { ...record, assumptions: RECORD_ASSUMPTIONS };
    } catch (error) {
      document.recordUnavailable = (error as Error).message.slice(0, 300);
    }
    return document;
  }

  async readingsOnly(id: string): Promise<HistoryRow[]> {
    return (await this.readings(await this.shipments.require(id), this.clock.now())).rows;
  }

  /**
   * The container's readings carrying this shipment's id: they are tagged from loading until the
   * shipment is closed, so the window runs from its creation to its end (or now).
   */
  private async readings(s: Shipment, now: number): Promise<{ rows: HistoryRow[]; truncated: boolean }> {
    const end = s.closedAt ?? s.cancelledAt;
    const to = (end === undefined ? now : Date.parse(end)) + 1;
    const from = Math.min(Date.parse(s.createdAt), Date.parse(s.departedAt ?? s.plannedDeparture));
    if (!(from < to)) return { rows: [], truncated: false };
    const all = await this.telemetry.history({ containerId: s.containerId, from, to, limit: MAX_QUERY_ROWS });
    return { rows: all.filter((r) => r.shipmentId === s.id), truncated: all.length === MAX_QUERY_ROWS };
  }
}
