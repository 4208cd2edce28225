import { Injectable } from '@nestjs/common';
import type { LogPosition } from '#src/contracts/log-position.js';
import type { DecodedReading, Reading, ReadingSource } from '#src/contracts/reading.js';
import { Metrics } from '#src/common/metrics.js';
import { ActiveShipments } from '#src/fleet/active-shipments.service.js';
import { ContainerSites } from '#src/fleet/container-sites.service.js';
import { DeviceDirectory } from '#src/fleet/device-directory.service.js';
import { ContainerStates } from '#src/state/container-states.port.js';
import { AcceptedReadingsHandler } from './accepted-readings.port.js';
import type { DecodeResult, Rejection } from './decode-result.js';
import { ReadingDedupe } from './dedupe/reading-dedupe.service.js';
import { RejectionsLog } from './rejections/rejections.log.js';
import { unboundDeviceDetail } from './rejections/unbound-device.detail.js';

/**
 * What every decoded message goes through, whatever its format: rejections are counted and
 * logged; readings are attributed to the container their device was on at measuredAt, repeats
 * dropped, and the accepted ones handed to the stages after acceptance (store, live state, rules,
 * journeys: `processing/reading-processor.service.ts`).
 */
@Injectable()
export class ReadingPipeline {
  private readonly acceptedTotal;

  constructor(
    private readonly directory: DeviceDirectory,
    private readonly next: AcceptedReadingsHandler,
    private readonly rejections: RejectionsLog,
    metrics: Metrics,
    private readonly activeShipments: ActiveShipments,
    private readonly containerSites: ContainerSites,
    private readonly dedupe: ReadingDedupe,
    private readonly states: ContainerStates,
  ) {
    this.acceptedTotal = metrics.counter(
      'convoi_ingest_readings_accepted_total',
      'Readings accepted, by source',
      ['source'],
    );
  }

  /**
   * Processes the decode results of one message; returns how many readings were accepted.
   * Whatever the broker acknowledged ends stored, refused with a reason or dropped as a repeat:
   * a reading whose handling throws is refused as `internal`, and the others go on. `position`
   * is the message's in the input log, handed on with the accepted readings.
   */
  process(
    topic: string,
    source: ReadingSource,
    payload: Buffer,
    results: readonly DecodeResult[],
    position: LogPosition,
  ): number {
    const accepted: Reading[] = [];
    for (const result of results) {
      if (!result.ok) {
        this.rejections.record(topic, source, result.rejection, payload);
        continue;
      }
      for (const decoded of result.readings) {
        try {
          const rejection = this.attribute(decoded, accepted);
          if (rejection !== undefined) this.rejections.record(topic, source, rejection, payload);
        } catch (err) {
          const detail = `handling a reading failed: ${String(err)}`;
          this.rejections.record(
            topic,
            source,
            { reason: 'internal', detail, deviceId: decoded.deviceId },
            payload,
          );
        }
      }
    }
    if (accepted.length === 0) return 0;
    this.next.handle(topic, accepted, position);
    this.acceptedTotal.inc({ source }, accepted.length);
    return accepted.length;
  }

  /** Admits one reading and attributes it, into `accepted`; or says why it is refused. */
  private attribute(decoded: DecodedReading, accepted: Reading[]): Rejection | undefined {
    // Attribution goes first: a reading refused as unbound must not be remembered by the dedupe
    // window, or the same reading sent again once the device is bound would pass for a repeat.
    const binding = this.directory.bindingAt(decoded.deviceId, decoded.measuredAt);
    if (binding === undefined) {
      const history = this.directory.bindingsOf(decoded.deviceId);
      const detail = unboundDeviceDetail(decoded.deviceId, decoded.measuredAt, history);
      return { reason: 'unbound-device', detail, deviceId: decoded.deviceId };
    }
    const containerId = binding.containerId;
    // The container's state, looked up once for every stage (they find it as the state owner's
    // last); kept with the binding, the device's next reading skips even that lookup.
    const state = this.states.obtainKept(containerId, binding.state);
    binding.state = state;
    // Repeats and conflicts are dropped before the reading reaches storage or rules.
    const admission = this.dedupe.admit(decoded, state);
    if (admission === 'repeat') return undefined;
    if (admission === 'conflict') {
      const at = new Date(decoded.measuredAt).toISOString();
      const detail = `another reading of device ${decoded.deviceId} at ${at}, with other values, is kept`;
      return { reason: 'conflict', detail, deviceId: decoded.deviceId };
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
    return undefined;
  }
}
