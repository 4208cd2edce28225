import { Injectable, Logger } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { IngestionConfig } from '../ingestion.config.js';
import { Metrics } from '#src/common/metrics.js';
import { READING_SOURCES, type DecodedReading, type ReadingSource } from '#src/contracts/reading.js';
import { DeviceDirectory } from '#src/fleet/device-directory.service.js';
import type { Device } from '#src/fleet/fleet.types.js';
import { FrameCounterTracker } from './frame-counter-tracker.js';
import { IdempotencyCache, KeySighting } from './idempotency-cache.js';
import { readingFingerprint, readingIdentity } from './reading-identity.js';
import { SeqResetTracker } from './seq-reset-tracker.js';

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

/** A device's radio link as field technicians read it (`GET /api/v1/devices/{id}/radio`). */
export interface RadioStatus {
  deviceId: string;
  /** Newest LoRaWAN frame counter seen since start; absent for devices without one. */
  lastFCnt?: number;
  /** Frames skipped by the counter and not arrived late since. */
  lostFrames: number;
  /** Counter resets (reboot, rejoin; `seq` restarts of native JSON devices) seen since start. */
  resets: number;
  /** Our reception time of the last reset, epoch ms. */
  lastResetAt?: number;
  /** Repeats dropped (several gateways, redelivery, replays) since start. */
  duplicates: number;
}

/**
 * The pipeline's first step (ARCHITECTURE.md §4), in bounded memory: drops repeats by idempotency key
 * (LoRaWAN: the uplink's, several gateways hear one), then tells a reading apart by its identity
 * (device, measuredAt; see reading-identity.ts): the same identity with the same values is a
 * repeat, with other values a conflict. For LoRaWAN sources it follows the frame counter (lost
 * frames, resets, late frames), for native JSON the `seq` restarts. State is per process and
 * starts empty, and an identity is remembered for DEDUPE_WINDOW_MS of reception time (at most
 * DEDUPE_MAX_ENTRIES of them): a repeat or a conflict arriving later, or after a restart, is not
 * recognised, and both stores then merge it field by field into the reading kept (InfluxDB's
 * rule for one point written twice).
 */
@Injectable()
export class ReadingDedupe {
  private readonly logger = new Logger('Ingestion');
  private readonly cache: IdempotencyCache;
  private readonly frames: FrameCounterTracker;
  private readonly seqs = new SeqResetTracker();
  /** Bounded by the registry: decoders only return readings of registered devices. */
  private readonly duplicatesByDevice = new Map<string, number>();
  private readonly duplicatesBySource: Record<ReadingSource, { inc(n?: number): void }>;
  private readonly framesLost: Counter;
  private readonly resets: Counter;
  private readonly seqResets: Counter;

  constructor(config: IngestionConfig, metrics: Metrics, directory: DeviceDirectory) {
    directory.onRemoved((device) => this.forgetDevice(device));
    this.cache = new IdempotencyCache({
      maxEntries: config.DEDUPE_MAX_ENTRIES,
      windowMs: config.DEDUPE_WINDOW_MS,
    });
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
   * Keep, repeat or conflict (see {@link Admission}). On a frame-counter gap, sets `lostFrames`
   * on the reading. Uses our reception time, so a device's clock cannot stretch or shrink the
   * window.
   */
  admit(reading: LossCountedReading): Admission {
    const json = reading.source === 'json';
    if (!json) {
      // A LoRaWAN uplink's own key (several gateways hear one uplink); a native reading's
      // idempotency key is its identity, checked below.
      if (this.cache.seen(reading.dedupeKey, reading.receivedAt, reading.deviceId)) {
        this.countDuplicate(reading);
        return 'repeat';
      }
      // Before the identity: the frame did arrive, whatever becomes of its reading.
      if (reading.quality.fCnt !== undefined) this.followFrames(reading, reading.quality.fCnt);
    }
    const identity = json ? reading.dedupeKey : readingIdentity(reading.deviceId, reading.measuredAt);
    const fingerprint = readingFingerprint(reading);
    const sighting = this.cache.check(identity, fingerprint, reading.receivedAt, reading.deviceId);
    if (sighting === KeySighting.Same) {
      this.countDuplicate(reading);
      return 'repeat';
    }
    if (sighting === KeySighting.Different) return 'conflict';
    if (json && reading.seq !== undefined) this.followSeq(reading, reading.seq);
    return 'keep';
  }

  private followSeq(reading: DecodedReading, seq: number): void {
    if (this.seqs.observe(reading.deviceId, seq, reading.measuredAt, reading.receivedAt)) {
      this.seqResets.inc();
      this.logger.log(`device ${reading.deviceId}: seq started again at ${seq}`);
    }
  }

  private followFrames(reading: LossCountedReading, fCnt: number): void {
    const verdict = this.frames.observe(reading.deviceId, fCnt, reading.receivedAt);
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
        // missed (a platform restart), the new session's counters look seen, and dropping them
        // would lose real readings; exact repeats are the idempotency key's job.
        return;
    }
  }

  /**
   * Forgets a deleted (or re-provisioned) device: its frame-counter history, its duplicate count
   * and its idempotency keys, so a device created again under the same id starts afresh instead
   * of having its first readings dropped as repeats.
   */
  forgetDevice(device: Pick<Device, 'id' | 'devEui'>): void {
    this.frames.forget(device.id);
    this.seqs.forget(device.id);
    this.duplicatesByDevice.delete(device.id);
    this.cache.forgetOwner(device.id);
  }

  radioStatus(deviceId: string): RadioStatus {
    const status: RadioStatus = {
      deviceId,
      lostFrames: 0,
      resets: 0,
      duplicates: this.duplicatesByDevice.get(deviceId) ?? 0,
    };
    const stats = this.frames.stats(deviceId);
    if (stats !== undefined) {
      status.lastFCnt = stats.lastFCnt;
      status.lostFrames = stats.lostFrames;
      status.resets = stats.resets;
      if (stats.lastResetAt !== undefined) status.lastResetAt = stats.lastResetAt;
    }
    const seqStats = this.seqs.stats(deviceId);
    if (seqStats !== undefined) {
      status.resets += seqStats.resets;
      if (seqStats.lastResetAt !== undefined) status.lastResetAt = seqStats.lastResetAt;
    }
    return status;
  }

  private countDuplicate(reading: DecodedReading): void {
    this.duplicatesBySource[reading.source].inc();
    this.duplicatesByDevice.set(reading.deviceId, (this.duplicatesByDevice.get(reading.deviceId) ?? 0) + 1);
  }
}
