import { Injectable, Logger } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { IngestionConfig } from '../ingestion.config.js';
import { Clock } from '#src/common/clock.js';
import { Metrics } from '#src/common/metrics.js';
import { READING_SOURCES, type DecodedReading, type ReadingSource } from '#src/contracts/reading.js';
import { DeviceDirectory } from '#src/fleet/device-directory.service.js';
import type { Device } from '#src/fleet/fleet.types.js';
import { ContainerStates } from '#src/state/container-states.port.js';
import type { ContainerState } from '#src/state/container-state.js';
import {
  LINK,
  LINKS,
  Link,
  PAGE_MASK,
  PAGE_SHIFT,
  STRIDE,
  WINDOW_STRIDE,
  clearLink,
} from '#src/state/state.layout.js';
import { KeySighting, checkKey, forgetOwner } from './dedupe-window.js';
import { FrameCounterTracker } from './frame-counter-tracker.js';
import { readingFingerprint, readingIdentity } from './reading-identity.js';
import { followSeq } from './seq-reset.js';

/**
 * A reading as rules see it after this step: `lostFrames` is the number of frames the counter
 * skipped just before this one (`RuleReading.lostFrames`), set only on a gap.
 */
export type LossCountedReading = DecodedReading & { lostFrames?: number };

/**
 * What {@link ReadingDedupe.admit} decides: keep the reading, drop it as a repeat of one kept, or
 * refuse it as a conflict (other values at an instant of this device already kept).
 */
export type Admission = 'keep' | 'repeat' | 'conflict';

/**
 * A device's radio link as field technicians read it (`GET /api/v1/devices/{id}/radio`): kept with
 * the state of its container (checkpointed, restored at start), so it counts since the device was
 * first heard on its current container, across restarts.
 */
export interface RadioStatus {
  deviceId: string;
  /** Newest LoRaWAN frame counter seen; absent for devices without one. */
  lastFCnt?: number;
  /** Frames skipped by the counter and not arrived late since. */
  lostFrames: number;
  /** Counter resets (reboot, rejoin; `seq` restarts of native JSON devices) seen. */
  resets: number;
  /** Our reception time of the last reset, epoch ms. */
  lastResetAt?: number;
  /** Repeats dropped (several gateways, redelivery, replays). */
  duplicates: number;
}

/**
 * The pipeline's dedupe step (ARCHITECTURE.md §4), after attribution: drops repeats by
 * idempotency key (LoRaWAN: the uplink's, several gateways hear one), then tells a reading apart
 * by its identity (device, measuredAt; see reading-identity.ts): the same identity with the same
 * values is a repeat, with other values a conflict. For LoRaWAN sources it follows the frame
 * counter (lost frames, resets, late frames), for native JSON the `seq` restarts. Its state is
 * the container's (`ContainerStates`: the dedupe window and the radio links of the container's
 * devices, in its slot, checkpointed and restored with the rest): a key is remembered for
 * DEDUPE_WINDOW_MS of reception time, at most the container's newest 8 (dedupe-window.ts). A
 * repeat or a conflict arriving later is not recognised, and both stores then merge it field by
 * field into the reading kept (InfluxDB's rule for one point written twice).
 */
@Injectable()
export class ReadingDedupe {
  private readonly logger = new Logger('Ingestion');
  private readonly windowMs: number;
  private readonly frames: FrameCounterTracker;
  private readonly duplicatesBySource: Record<ReadingSource, { inc(n?: number): void }>;
  private readonly framesLost: Counter;
  private readonly resets: Counter;
  private readonly seqResets: Counter;

  constructor(
    config: IngestionConfig,
    metrics: Metrics,
    private readonly directory: DeviceDirectory,
    private readonly states: ContainerStates,
    private readonly clock: Clock,
  ) {
    directory.onRemoved((device) => this.forgetDevice(device));
    this.windowMs = config.DEDUPE_WINDOW_MS;
    this.frames = new FrameCounterTracker({ lateWindow: config.FCNT_LATE_WINDOW });
    const duplicates = metrics.counter(
      'convoi_ingest_duplicates_total',
      'Readings dropped as repeats of one already accepted (gateways, redelivery, replays), by source',
      ['source'],
    );
    // Children made once: the hot path increments without building a labels object.
    const bySource = {} as Record<ReadingSource, { inc(n?: number): void }>;
    for (const source of READING_SOURCES) bySource[source] = duplicates.labels(source);
    this.duplicatesBySource = bySource;
    this.framesLost = metrics.counter(
      'convoi_lorawan_frames_lost_total',
      'LoRaWAN uplinks never received, counted from frame-counter gaps',
    );
    this.resets = metrics.counter(
      'convoi_lorawan_fcnt_resets_total',
      'LoRaWAN frame counters that went back to a small value (device reboot or rejoin)',
    );
    this.seqResets = metrics.counter(
      'convoi_ingest_seq_resets_total',
      'Native JSON devices whose seq started again (reboot): their readings are kept, not repeats',
    );
  }

  /**
   * Keep, repeat or conflict (see {@link Admission}) of a reading attributed to the container of
   * `state` (the pipeline looked it up once for all the stages). On
   * a frame-counter gap, sets `lostFrames` on the reading. Uses our reception time, so a device's
   * clock cannot stretch or shrink the window.
   */
  admit(reading: LossCountedReading, state: ContainerState): Admission {
    const pages = this.states.pages;
    const page = pages.numbers[state.slot >> PAGE_SHIFT];
    const base = (state.slot & PAGE_MASK) * STRIDE;
    const window = pages.windows[state.slot >> PAGE_SHIFT];
    const windowBase = (state.slot & PAGE_MASK) * WINDOW_STRIDE;
    pages.markDirty(state.slot);
    pages.markWindowDirty(state.slot);
    const link = this.linkOf(state, page, base, reading.deviceId, reading.receivedAt);
    const json = reading.source === 'json';
    if (!json) {
      // A LoRaWAN uplink's own key (several gateways hear one uplink); a native reading's
      // idempotency key is its identity, checked below.
      const sighting = checkKey(
        window,
        windowBase,
        reading.dedupeKey,
        0,
        reading.deviceId,
        reading.receivedAt,
        this.windowMs,
      );
      if (sighting !== KeySighting.New) {
        this.countDuplicate(reading, page, link);
        return 'repeat';
      }
      // Before the identity: the frame did arrive, whatever becomes of its reading.
      if (reading.quality.fCnt !== undefined) this.followFrames(reading, reading.quality.fCnt, page, link);
    }
    const identity = json ? reading.dedupeKey : readingIdentity(reading.deviceId, reading.measuredAt);
    const fingerprint = readingFingerprint(reading);
    const sighting = checkKey(
      window,
      windowBase,
      identity,
      fingerprint,
      reading.deviceId,
      reading.receivedAt,
      this.windowMs,
    );
    if (sighting === KeySighting.Same) {
      this.countDuplicate(reading, page, link);
      return 'repeat';
    }
    if (sighting === KeySighting.Different) return 'conflict';
    if (
      json &&
      reading.seq !== undefined &&
      followSeq(page, link, reading.seq, reading.measuredAt, reading.receivedAt)
    ) {
      this.seqResets.inc();
      this.logger.log(`device ${reading.deviceId}: seq started again at ${reading.seq}`);
    }
    return 'keep';
  }

  /**
   * Forgets a deleted (or re-provisioned) device: its radio links and its idempotency keys, in
   * every container, so a device created again under the same id starts afresh instead of having
   * its first readings dropped as repeats. O(containers), for a rare change.
   */
  forgetDevice(device: Pick<Device, 'id' | 'devEui'>): void {
    const pages = this.states.pages;
    for (const state of this.states.all()) {
      const page = pages.numbers[state.slot >> PAGE_SHIFT];
      const base = (state.slot & PAGE_MASK) * STRIDE;
      const window = pages.windows[state.slot >> PAGE_SHIFT];
      if (forgetOwner(window, (state.slot & PAGE_MASK) * WINDOW_STRIDE, device.id))
        pages.markWindowDirty(state.slot);
      let changed = false;
      for (let k = 0; k < LINKS; k++) {
        if (pages.linkDevices[state.slot * LINKS + k] !== device.id) continue;
        pages.linkDevices[state.slot * LINKS + k] = undefined;
        clearLink(page, base + LINK + k * Link.Size);
        changed = true;
      }
      if (changed) pages.markDirty(state.slot);
    }
  }

  radioStatus(deviceId: string): RadioStatus {
    const status: RadioStatus = { deviceId, lostFrames: 0, resets: 0, duplicates: 0 };
    const bindings = this.directory.bindingsOf(deviceId);
    const containerId =
      this.directory.containerAt(deviceId, this.clock.now()) ?? bindings[bindings.length - 1]?.containerId;
    const state = containerId === undefined ? undefined : this.states.get(containerId);
    if (state === undefined) return status;
    const pages = this.states.pages;
    const k = [0, 1].find((i) => pages.linkDevices[state.slot * LINKS + i] === deviceId);
    if (k === undefined) return status;
    const page = pages.numbers[state.slot >> PAGE_SHIFT];
    const link = (state.slot & PAGE_MASK) * STRIDE + LINK + k * Link.Size;
    status.duplicates = page[link + Link.Duplicates];
    status.resets = page[link + Link.Resets];
    const lastResetAt = page[link + Link.LastResetAt];
    if (!Number.isNaN(lastResetAt)) status.lastResetAt = lastResetAt;
    const stats = this.frames.statsOf(page, link);
    if (stats !== undefined) {
      status.lastFCnt = stats.lastFCnt;
      status.lostFrames = stats.lostFrames;
    }
    return status;
  }

  /**
   * Where in the page the reading's device's radio link starts: its own, or the one of the two
   * heard from least recently, given to it afresh (a third device on one container).
   */
  private linkOf(
    state: ContainerState,
    page: Float64Array,
    base: number,
    deviceId: string,
    atMs: number,
  ): number {
    const devices = this.states.pages.linkDevices;
    const first = state.slot * LINKS;
    let k = devices[first] === deviceId ? 0 : devices[first + 1] === deviceId ? 1 : -1;
    if (k < 0) {
      k = page[base + LINK + Link.UsedAt] <= page[base + LINK + Link.Size + Link.UsedAt] ? 0 : 1;
      devices[first + k] = deviceId;
      clearLink(page, base + LINK + k * Link.Size);
    }
    const link = base + LINK + k * Link.Size;
    if (!(page[link + Link.UsedAt] >= atMs)) page[link + Link.UsedAt] = atMs;
    return link;
  }

  private followFrames(reading: LossCountedReading, fCnt: number, page: Float64Array, link: number): void {
    const verdict = this.frames.observeLink(page, link, fCnt, reading.receivedAt);
    switch (verdict.kind) {
      case 'gap':
        reading.lostFrames = verdict.lost;
        this.framesLost.inc(verdict.lost);
        return;
      case 'reset':
        this.resets.inc();
        this.logger.log({ deviceId: reading.deviceId, from: verdict.from, to: fCnt }, 'Frame counter reset');
        return;
      case 'jump':
        this.logger.warn(
          { deviceId: reading.deviceId, from: verdict.from, to: fCnt },
          'Frame counter jumped: resynchronised',
        );
        return;
      default:
        // 'duplicate' (a counter seen again under another key) is kept: after a reset the tracker
        // missed, the new session's counters look seen, and dropping them would lose real
        // readings; exact repeats are the idempotency key's job.
        return;
    }
  }

  private countDuplicate(reading: DecodedReading, page: Float64Array, link: number): void {
    this.duplicatesBySource[reading.source].inc();
    page[link + Link.Duplicates]++;
  }
}
