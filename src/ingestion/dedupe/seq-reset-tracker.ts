/** Resets of one device's `seq` seen since start. */
export interface SeqResetStats {
  resets: number;
  /** Our reception time of the last reset, epoch ms. */
  lastResetAt?: number;
}

interface DeviceSeq extends SeqResetStats {
  /** `seq` of the device's newest reading (by measuredAt). */
  seq: number;
  measuredAt: number;
}

/**
 * Follows the `seq` of native JSON devices to count restarts: a reading measured after the
 * newest one with a `seq` not above it means the device started counting again (a reboot). It
 * is new data, not a repeat (readings are told apart by device and measuredAt). A late reading
 * (older measuredAt) never counts: buffered uploads arrive out of order.
 */
export class SeqResetTracker {
  private readonly devices = new Map<string, DeviceSeq>();

  /** Records one reading's seq; true when it starts a new count. */
  observe(deviceId: string, seq: number, measuredAt: number, receivedAt: number): boolean {
    const state = this.devices.get(deviceId);
    if (state === undefined) {
      this.devices.set(deviceId, { seq, measuredAt, resets: 0 });
      return false;
    }
    if (measuredAt <= state.measuredAt) return false;
    const reset = seq <= state.seq;
    state.seq = seq;
    state.measuredAt = measuredAt;
    if (reset) {
      state.resets++;
      state.lastResetAt = receivedAt;
    }
    return reset;
  }

  stats(deviceId: string): SeqResetStats | undefined {
    const state = this.devices.get(deviceId);
    if (state === undefined) return undefined;
    return { resets: state.resets, lastResetAt: state.lastResetAt };
  }

  forget(deviceId: string): void {
    this.devices.delete(deviceId);
  }
}
