import { Injectable } from '@nestjs/common';
import { DomainError } from '#src/common/domain-error.js';
import { TelemetryReader, type HistoryRow } from '#src/telemetry/telemetry.ports.js';
import type { Alert, AlertHistoryEntry } from './alert.types.js';
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

/** Read model of alerts: filtered pages, and one alert with its history and evidence. */
@Injectable()
export class AlertsService {
  constructor(
    private readonly repository: AlertsRepository,
    private readonly reader: TelemetryReader,
  ) {}

  list(q: AlertsQueryDto): { items: Alert[]; nextCursor?: string } {
    const after = q.cursor === undefined ? undefined : decodeAlertCursor(q.cursor);
    const rows = this.repository.list(
      {
        status: q.status,
        acknowledged: q.acknowledged,
        severity: q.severity,
        containerId: q.containerId,
        shipmentId: q.shipmentId,
        siteId: q.siteId,
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

  async detail(id: string): Promise<AlertDetail> {
    const alert = this.repository.find(id);
    if (!alert) throw new DomainError('not-found', 'alerts.not-found', `alert ${id} does not exist`);
    const readings = await this.reader.history({
      containerId: alert.containerId,
      from: alert.openedAt - EVIDENCE_BEFORE_MS,
      to: (alert.clearedAt ?? alert.lastSeenAt) + 1,
      limit: EVIDENCE_MAX_ROWS,
    });
    return { ...alert, history: this.repository.history(id), readings };
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
