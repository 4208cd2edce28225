/** One complete MQTT control packet as it came off the wire. */
export interface MqttFrame {
  /** Packet type, the high nibble of byte 1 (1 = CONNECT … 14 = DISCONNECT). */
  type: number;
  /** Flags, the low nibble of byte 1. */
  flags: number;
  /** Variable header and payload (the bytes after the remaining length). */
  body: Buffer;
  /** The whole frame, fixed header included, to hand on unchanged. */
  raw: Buffer;
}

export type FrameReadResult<R extends string = never> =
  { ok: true; frames: MqttFrame[] } | { ok: false; reason: 'packet_too_large' | 'malformed' | R };

/**
 * Looks at a frame as soon as its fixed header is known, before its body is read: returns a
 * reason to refuse it, or undefined to go on.
 */
export type HeaderCheck<R extends string> = (
  type: number,
  flags: number,
  frameBytes: number,
) => R | undefined;

/**
 * Cuts a TCP byte stream into MQTT frames without ever holding more than one frame of at most
 * `maxPacketBytes`. The fixed header (type, flags, remaining length) is decoded as soon as its
 * bytes arrive, so a frame declared larger than the limit is refused before its body is read
 * (HOSTILE-INPUTS B1: a bare Aedes buffers a 200 MiB declaration).
 */
export class MqttFrameReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Total length of the frame being collected, once its header is known. */
  private frameBytes = -1;

  constructor(private readonly maxPacketBytes: number) {}

  /** Bytes held waiting for the rest of a frame. */
  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  push<R extends string = never>(chunk: Buffer, checkHeader?: HeaderCheck<R>): FrameReadResult<R> {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    const frames: MqttFrame[] = [];
    for (;;) {
      if (this.frameBytes < 0) {
        const header = this.readHeaderLength();
        if (header === 'incomplete') break;
        if (header === 'malformed') return { ok: false, reason: 'malformed' };
        if (header > this.maxPacketBytes) return { ok: false, reason: 'packet_too_large' };
        const first = this.byteAt(0)!;
        const refusal = checkHeader?.(first >> 4, first & 0x0f, header);
        if (refusal !== undefined) return { ok: false, reason: refusal };
        this.frameBytes = header;
      }
      if (this.pendingBytes < this.frameBytes) break;
      frames.push(this.takeFrame());
    }
    return { ok: true, frames };
  }

  /**
   * Length of the whole frame from its fixed header, `incomplete` while bytes are missing,
   * `malformed` for a remaining length of more than 4 bytes [MQTT-2.2.3] (HOSTILE-INPUTS A7).
   */
  private readHeaderLength(): number | 'incomplete' | 'malformed' {
    let multiplier = 1;
    let remaining = 0;
    for (let i = 1; i <= 4; i++) {
      const byte = this.byteAt(i);
      if (byte === undefined) return 'incomplete';
      remaining += (byte & 0x7f) * multiplier;
      if ((byte & 0x80) === 0) return 1 + i + remaining;
      multiplier *= 128;
    }
    return 'malformed';
  }

  private byteAt(index: number): number | undefined {
    if (index >= this.pendingBytes) return undefined;
    let offset = index;
    for (const part of this.pending) {
      if (offset < part.length) return part[offset];
      offset -= part.length;
    }
    return undefined;
  }

  private takeFrame(): MqttFrame {
    const all = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
    const raw = all.subarray(0, this.frameBytes);
    const rest = all.subarray(this.frameBytes);
    this.pending = rest.length > 0 ? [rest] : [];
    this.pendingBytes = rest.length;
    this.frameBytes = -1;
    const headerLength = raw.length - bodyLength(raw);
    return { type: raw[0] >> 4, flags: raw[0] & 0x0f, body: raw.subarray(headerLength), raw };
  }
}

function bodyLength(raw: Buffer): number {
  let multiplier = 1;
  let remaining = 0;
  for (let i = 1; i <= 4; i++) {
    remaining += (raw[i] & 0x7f) * multiplier;
    if ((raw[i] & 0x80) === 0) break;
    multiplier *= 128;
  }
  return remaining;
}
