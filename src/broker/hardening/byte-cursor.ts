/**
 * Reads MQTT fields from a packet body. Every read returns `undefined` past the end instead of
 * throwing, so a truncated packet is one `undefined` check for the caller.
 */
export class ByteCursor {
  private offset = 0;

  constructor(private readonly bytes: Buffer) {}

  u8(): number | undefined {
    if (this.offset + 1 > this.bytes.length) return undefined;
    return this.bytes[this.offset++];
  }

  u16(): number | undefined {
    if (this.offset + 2 > this.bytes.length) return undefined;
    const value = this.bytes.readUInt16BE(this.offset);
    this.offset += 2;
    return value;
  }

  /** A 2-byte length followed by that many bytes (UTF-8 string or binary data, MQTT §1.5). */
  lengthPrefixed(): Buffer | undefined {
    const length = this.u16();
    if (length === undefined || this.offset + length > this.bytes.length) return undefined;
    const value = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }

  atEnd(): boolean {
    return this.offset === this.bytes.length;
  }

  remaining(): number {
    return this.bytes.length - this.offset;
  }
}
