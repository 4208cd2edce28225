import { Link } from '#src/state/state.layout.js';

/** What one uplink's frame counter says about the device's stream. */
export type FrameVerdict =
  | { kind: 'first' } // first counter seen for this device (on its container, or since forgotten)
  | { kind: 'next' } // exactly the expected counter
  | { kind: 'gap'; lost: number } // counters skipped: that many frames lost (so far)
  | { kind: 'late'; recovered: boolean } // older counter inside the late window; recovered: had been counted lost
  | { kind: 'stale' } // older than the late window and not a reset: ignored for counting
  | { kind: 'duplicate' } // a counter already seen in this session
  | { kind: 'reset'; from: number } // counter went back to a small value: device rebooted / rejoined
  | { kind: 'jump'; from: number }; // counter leapt forward beyond maxGap: resynchronised, not counted lost

/** Per-device counters, part of the device's live status. */
export interface FrameCounterStats {
  lastFCnt: number;
  /** Frames skipped by the counter and not (yet) arrived late. */
  lostFrames: number;
  resets: number;
  lastResetAt?: number;
}

export interface FrameCounterOptions {
  /** How many counters back a frame still counts as late rather than stale (1…32). */
  lateWindow?: number;
  /** Largest forward step still read as loss (LoRaWAN MAX_FCNT_GAP). */
  maxGap?: number;
  /** A counter going back to at most this value is a reset. */
  resetMaxFCnt?: number;
}

/**
 * Follows LoRaWAN frame counters per device (ARCHITECTURE.md §4), in the device's radio link of
 * its container's state: a forward gap counts lost frames, a frame arriving late inside the
 * window is a late frame (and un-counts its loss), a counter falling back to a small value is a
 * reset (reboot, rejoin), never a duplicate. Two 32-bit masks make each observation O(1). Exact
 * repeats of an uplink are the dedupe window's job and should not reach this tracker; a counter
 * already seen here is only called a reset when it is small.
 */
export class FrameCounterTracker {
  private readonly lateWindow: number;
  private readonly maxGap: number;
  private readonly resetMaxFCnt: number;

  constructor(options: FrameCounterOptions = {}) {
    this.lateWindow = options.lateWindow ?? 32;
    this.maxGap = options.maxGap ?? 16_384;
    this.resetMaxFCnt = options.resetMaxFCnt ?? 16;
    if (!Number.isInteger(this.lateWindow) || this.lateWindow < 1 || this.lateWindow > 32) {
      throw new RangeError(`lateWindow must be an integer in 1…32, got ${this.lateWindow}`);
    }
  }

  /**
   * Follows one uplink's counter in the radio link whose numbers start at `at` of `link`
   * (state.layout.ts `Link`: a container state's slot, checkpointed with it; a link never heard
   * is `clearLink`'s).
   */
  observeLink(link: Float64Array, at: number, fCnt: number, atMs: number): FrameVerdict {
    const last = link[at + Link.LastFCnt];
    if (Number.isNaN(last)) {
      link[at + Link.LastFCnt] = fCnt;
      link[at + Link.SeenMask] = 1;
      link[at + Link.LostMask] = 0;
      return { kind: 'first' };
    }
    const step = fCnt - last;
    if (step > 0) return this.forward(link, at, fCnt, step);
    if (step === 0) return { kind: 'duplicate' };
    const back = -step;
    if (back < this.lateWindow) {
      const bit = 2 ** back;
      const lostMask = link[at + Link.LostMask];
      const seenMask = link[at + Link.SeenMask];
      if (lostMask & bit) {
        link[at + Link.LostMask] = (lostMask & ~bit) >>> 0;
        link[at + Link.SeenMask] = (seenMask | bit) >>> 0;
        link[at + Link.LostFrames]--;
        return { kind: 'late', recovered: true };
      }
      if (!(seenMask & bit)) {
        link[at + Link.SeenMask] = (seenMask | bit) >>> 0;
        return { kind: 'late', recovered: false };
      }
      if (fCnt > this.resetMaxFCnt) return { kind: 'duplicate' };
    } else if (fCnt > this.resetMaxFCnt) {
      return { kind: 'stale' };
    }
    this.restart(link, at, fCnt);
    link[at + Link.Resets]++;
    link[at + Link.LastResetAt] = atMs;
    return { kind: 'reset', from: last };
  }

  /** The counters of the link at `at` (undefined: no frame counter seen). */
  statsOf(link: Float64Array, at: number): FrameCounterStats | undefined {
    if (Number.isNaN(link[at + Link.LastFCnt])) return undefined;
    const lastResetAt = link[at + Link.LastResetAt];
    return {
      lastFCnt: link[at + Link.LastFCnt],
      lostFrames: link[at + Link.LostFrames],
      resets: link[at + Link.Resets],
      lastResetAt: Number.isNaN(lastResetAt) ? undefined : lastResetAt,
    };
  }

  private forward(link: Float64Array, at: number, fCnt: number, step: number): FrameVerdict {
    if (step > this.maxGap) {
      const from = link[at + Link.LastFCnt];
      this.restart(link, at, fCnt);
      return { kind: 'jump', from };
    }
    const lost = step - 1;
    // The skipped counters sit at bits 1…lost after the shift; only the window's worth is tracked.
    const tracked = Math.min(lost, 31);
    const lostBits = (2 ** tracked - 1) * 2;
    link[at + Link.SeenMask] = step >= 32 ? 1 : ((link[at + Link.SeenMask] << step) | 1) >>> 0;
    link[at + Link.LostMask] = ((step >= 32 ? 0 : link[at + Link.LostMask] << step) | lostBits) >>> 0;
    link[at + Link.LastFCnt] = fCnt;
    if (lost === 0) return { kind: 'next' };
    link[at + Link.LostFrames] += lost;
    return { kind: 'gap', lost };
  }

  private restart(link: Float64Array, at: number, fCnt: number): void {
    link[at + Link.LastFCnt] = fCnt;
    link[at + Link.SeenMask] = 1;
    link[at + Link.LostMask] = 0;
  }
}
