/** What one uplink's frame counter says about the device's stream. */
export type FrameVerdict =
  | { kind: 'first' } // first counter seen for this device (since start or forget)
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

interface DeviceState extends FrameCounterStats {
  /** Bit i set: counter lastFCnt − i has arrived. */
  seenMask: number;
  /** Bit i set: counter lastFCnt − i was counted lost and has not arrived. */
  lostMask: number;
}

/**
 * Follows LoRaWAN frame counters per device (ARCHITECTURE.md §4): a forward gap counts lost frames, a
 * frame arriving late inside the window is a late frame (and un-counts its loss), a counter falling
 * back to a small value is a reset (reboot, rejoin), never a duplicate. Two 32-bit masks make each
 * observation O(1). Exact repeats of an uplink are the idempotency cache's job and should not reach
 * this tracker; a counter already seen here is only called a reset when it is small.
 */
export class FrameCounterTracker {
  private readonly devices = new Map<string, DeviceState>();
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

  observe(deviceId: string, fCnt: number, atMs: number): FrameVerdict {
    const state = this.devices.get(deviceId);
    if (state === undefined) {
      this.devices.set(deviceId, { lastFCnt: fCnt, lostFrames: 0, resets: 0, seenMask: 1, lostMask: 0 });
      return { kind: 'first' };
    }
    const step = fCnt - state.lastFCnt;
    if (step > 0) return this.forward(state, fCnt, step);
    if (step === 0) return { kind: 'duplicate' };
    const back = -step;
    if (back < this.lateWindow) {
      const bit = 2 ** back;
      if (state.lostMask & bit) {
        state.lostMask = (state.lostMask & ~bit) >>> 0;
        state.seenMask = (state.seenMask | bit) >>> 0;
        state.lostFrames--;
        return { kind: 'late', recovered: true };
      }
      if (!(state.seenMask & bit)) {
        state.seenMask = (state.seenMask | bit) >>> 0;
        return { kind: 'late', recovered: false };
      }
      if (fCnt > this.resetMaxFCnt) return { kind: 'duplicate' };
    } else if (fCnt > this.resetMaxFCnt) {
      return { kind: 'stale' };
    }
    const from = state.lastFCnt;
    this.restart(state, fCnt);
    state.resets++;
    state.lastResetAt = atMs;
    return { kind: 'reset', from };
  }

  stats(deviceId: string): FrameCounterStats | undefined {
    const state = this.devices.get(deviceId);
    if (state === undefined) return undefined;
    const { lastFCnt, lostFrames, resets, lastResetAt } = state;
    return { lastFCnt, lostFrames, resets, lastResetAt };
  }

  /** Drops a device's history (device deleted or re-provisioned). */
  forget(deviceId: string): void {
    this.devices.delete(deviceId);
  }

  private forward(state: DeviceState, fCnt: number, step: number): FrameVerdict {
    if (step > this.maxGap) {
      const from = state.lastFCnt;
      this.restart(state, fCnt);
      return { kind: 'jump', from };
    }
    const lost = step - 1;
    // The skipped counters sit at bits 1…lost after the shift; only the window's worth is tracked.
    const tracked = Math.min(lost, 31);
    const lostBits = (2 ** tracked - 1) * 2;
    state.seenMask = step >= 32 ? 1 : ((state.seenMask << step) | 1) >>> 0;
    state.lostMask = ((step >= 32 ? 0 : state.lostMask << step) | lostBits) >>> 0;
    state.lastFCnt = fCnt;
    if (lost === 0) return { kind: 'next' };
    state.lostFrames += lost;
    return { kind: 'gap', lost };
  }

  private restart(state: DeviceState, fCnt: number): void {
    state.lastFCnt = fCnt;
    state.seenMask = 1;
    state.lostMask = 0;
  }
}
