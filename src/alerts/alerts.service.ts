import { Injectable } from '@nestjs/common';
import { DomainError } from '#src/common/domain-error.js';
import { ContainerSites } from '#src/fleet/container-sites.service.js';
import { TelemetryReader, type HistoryRow } from '#src/telemetry/telemetry.ports.js';
import type { Alert, AlertHistoryEntry } from './alert.types.js';
import { AlertWriter } from './alert-writer.service.js';
import { AlertsRepository } from './alerts.repository.js';
import type { AlertsQueryDto } from './dto/alerts-query.dto.js';

/** How far before an alert opened its evidence starts (the excursion that led to it). */
const EVIDENCE_BEFORE_MS = 60 * 60_000;
const EVIDENCE_MAX_ROWS = 1000;

export interface AlertDetail extends Alert {
  history: AlertHistoryEntry[];
  /** The container's readings from an hour before the alert opened until it cleared (or now). */
  readings: HistoryRow[];
}

/**
 * Read model of alerts: filtered pages, and one alert with its history and evidence. Each read
 * first waits for the alert changes queued so far (`AlertWriter`), so it sees them.
 */
@Injectable()
export class AlertsService {
  constructor(
    private readonly repository: AlertsRepository,
    private readonly writer: AlertWriter,
    private readonly sites: ContainerSites,
    private readonly reader: TelemetryReader,
  ) {}

  async list(q: AlertsQueryDto): Promise<{ items: Alert[]; nextCursor?: string }> {
    const after = q.cursor === undefined ? undefined : decodeAlertCursor(q.cursor);
    await this.writer.flush();
    const rows = await this.repository.list(
      {
        status: q.status,
        acknowledged: q.acknowledged,
        severity: q.severity,
        containerId: q.containerId,
        shipmentId: q.shipmentId,
        // The containers are in the SQLite file, the alerts maybe in PostgreSQL: no join.
        ...(q.siteId !== undefined && { containerIds: this.sites.containersAt(q.siteId) }),
        ruleId: q.rule,
        openedFrom: q.from === undefined ? undefined : Date.parse(q.from),
        openedTo: q.to === undefined ? undefined : Date.parse(q.to),
      },
      after,
      q.limit + 1,
    );
    const items = rows.slice(0, q.limit);
    const last = items[items.length - 1];
    return rows.length > q.limit ? { items, nextCursor: encodeAlertCursor(last) } : { items };
  }

  /** A shipment's newest `limit` alerts, oldest first (records, exports). */
  async ofShipment(shipmentId: string, limit: number): Promise<Alert[]> {
    await this.writer.flush();
    return (await this.repository.list({ shipmentId }, undefined, limit)).reverse();
  }

  /** An alert's changes, oldest first. */
  async history(alertId: string): Promise<AlertHistoryEntry[]> {
    await this.writer.flush();
    return this.repository.history(alertId);
  }

  async detail(id: string): Promise<AlertDetail> {
    await this.writer.flush();
    const alert = await this.repository.find(id);
    if (!alert) throw new DomainError('not-found', 'alerts.not-found', `alert ${id} does not exist`);
    const readings = await this.reader.history({
      containerId: alert.containerId,
      from: alert.openedAt - EVIDENCE_BEFORE_MS,
      to: (alert.clearedAt ?? alert.lastSeenAt) + 1,
      limit: EVIDENCE_MAX_ROWS,
    });
    return { ...alert, history: await this.repository.history(id), readings };
  }
}

function encodeAlertCursor(alert: Alert): string {
  return Buffer.from(`${alert.openedAt}|${alert.id}`).toString('base64url');
}

function decodeAlertCursor(cursor: string): { openedAt: number; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const openedAt = Number(at);
  if (!Number.isInteger(openedAt) || !id)
    throw new DomainError('invalid', 'common.bad-cursor', 'cursor is not valid');
  return { openedAt, id };
}
