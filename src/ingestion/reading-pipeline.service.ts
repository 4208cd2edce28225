import { Injectable } from '@nestjs/common';
import type { Reading, ReadingSource } from '#src/contracts/reading.js';
import { Metrics } from '#src/common/metrics.js';
import { ActiveShipments } from '#src/fleet/active-shipments.service.js';
import { ContainerSites } from '#src/fleet/container-sites.service.js';
import { DeviceDirectory } from '#src/fleet/device-directory.service.js';
import { LiveStateService } from '#src/fleet/live-state.service.js';
import { TelemetryWriter } from '#src/telemetry/telemetry.ports.js';
import type { DecodeResult } from './decode-result.js';
import { ReadingDedupe } from './dedupe/reading-dedupe.service.js';
import { RejectionsLog } from './rejections/rejections.log.js';
import { unboundDeviceDetail } from './rejections/unbound-device.detail.js';

/** Called with the readings accepted from one message, after they were handed to storage. */
export type AcceptedReadingsListener = (readings: readonly Reading[]) => void;

/**
 * What every decoded message goes through, whatever its format: rejections are counted and
 * logged; accepted readings are attributed to the container their device was on at measuredAt,
 * stored, applied to live state and handed to listeners (rules).
 */
@Injectable()
export class ReadingPipeline {
  private readonly listeners: AcceptedReadingsListener[] = [];
  private readonly acceptedTotal;

  constructor(
    private readonly directory: DeviceDirectory,
    private readonly writer: TelemetryWriter,
    private readonly liveState: LiveStateService,
    private readonly rejections: RejectionsLog,
    metrics: Metrics,
    private readonly activeShipments: ActiveShipments,
    private readonly containerSites: ContainerSites,
    private readonly dedupe: ReadingDedupe,
  ) {
    this.acceptedTotal = metrics.counter(
      'convoi_ingest_readings_accepted_total',
      'Readings accepted, by source',
      ['source'],
    );
  }

  onAccepted(listener: AcceptedReadingsListener): void {
    this.listeners.push(listener);
  }

  /** Processes the decode results of one message; returns how many readings were accepted. */
  process(topic: string, source: ReadingSource, payload: Buffer, results: readonly DecodeResult[]): number {
    const accepted: Reading[] = [];
    for (const result of results) {
      if (!result.ok) {
        this.rejections.record(topic, source, result.rejection, payload);
        continue;
      }
      for (const decoded of result.readings) {
        // Repeats go before attribution, so they reach neither storage nor rules.
        if (!this.dedupe.admit(decoded)) continue;
        const containerId = this.directory.containerAt(decoded.deviceId, decoded.measuredAt);
        if (containerId === undefined) {
          const history = this.directory.bindingsOf(decoded.deviceId);
          const detail = unboundDeviceDetail(decoded.deviceId, decoded.measuredAt, history);
          this.rejections.record(
            topic,
            source,
            { reason: 'unbound-device', detail, deviceId: decoded.deviceId },
            payload,
          );
          continue;
        }
        const reading = decoded as Reading;
        reading.containerId = containerId;
        const shipment = this.activeShipments.get(containerId);
        if (shipment !== undefined) {
          reading.shipmentId = shipment.shipmentId;
          reading.profileId = shipment.profileId;
        }
        const siteId = this.containerSites.siteOf(containerId);
        if (siteId !== undefined) reading.siteId = siteId;
        accepted.push(reading);
      }
    }
    if (accepted.length === 0) return 0;
    this.writer.write(accepted);
    for (const reading of accepted) this.liveState.apply(reading);
    this.acceptedTotal.inc({ source }, accepted.length);
    for (const listener of this.listeners) listener(accepted);
    return accepted.length;
  }
}
