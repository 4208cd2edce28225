import { Logger } from '@nestjs/common';
import {
  closeSync,
  fdatasync,
  fdatasyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  close as closeFd,
  constants,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { InboxOwnerLock } from './inbox-owner.lock.js';
import { decodeInboxRecords, encodeInboxRecords } from './inbox-record.codec.js';
import type { InboxMessage } from './ingest-journal.js';

/** The inbox's directory in DATA_DIR. */
export const INBOX_DIR = 'inbox';
/** A segment is sealed, and a new one started, past this size. */
const SEGMENT_BYTES = 16 * 1024 * 1024;
/** How often the page cache is flushed to disk (off the thread) and processed segments dropped, ms. */
const HOUSEKEEPING_EVERY_MS = 1000;
const WATERMARK_FILE = 'completed';
const SEGMENT_SUFFIX = '.seg';

interface Segment {
  path: string;
  firstId: number;
  /** Highest id written; `firstId - 1` while empty. */
  lastId: number;
  /** Open while it takes appends, and after sealing until its last flush returns. */
  fd?: number;
  bytes: number;
  sealed: boolean;
  flushing: number;
}

type NewMessage = Omit<InboxMessage, 'id'>;
/** `fs.writeSync(fd, buffer, offset, length)`: bytes written. */
export type SegmentWrite = (fd: number, bytes: Buffer, offset: number, length: number) => number;

/**
 * The inbox's files: append-only segments of records (`inbox-record.codec.ts`) and a watermark,
 * the highest id the pipeline has stored. A group commit is one `write()`; no fsync waits on the
 * broker's thread. Like SQLite's WAL with `synchronous = NORMAL` before it, a write survives the
 * process crashing the moment it returns; what an OS crash may lose is bounded by a flush of the
 * page cache every {@link HOUSEKEEPING_EVERY_MS} ms, run on libuv's pool, and at every seal.
 * Segments whose every message is processed are deleted, so the directory holds about what the
 * pipeline has not stored yet: no page is rewritten, nothing is checkpointed.
 */
export class InboxSegmentLog {
  private readonly logger = new Logger('Inbox');
  private readonly dir: string;
  private readonly watermarkFd: number;
  private readonly watermarkBytes = Buffer.alloc(12);
  private readonly sealed: Segment[] = [];
  private active?: Segment;
  private nextId: number;
  private completed: number;
  private readonly housekeeping: NodeJS.Timeout;

  /** Opens the log in `dataDir` and reads what the last run left unprocessed, in id order. */
  static open(
    dataDir: string,
    options: { segmentBytes?: number; write?: SegmentWrite; ownerWaitMs?: number } = {},
  ): { log: InboxSegmentLog; leftovers: InboxMessage[] } {
    const dir = join(dataDir, INBOX_DIR);
    mkdirSync(dir, { recursive: true });
    const owner = InboxOwnerLock.acquire(dir, options.ownerWaitMs);
    try {
      const log = new InboxSegmentLog(
        dir,
        owner,
        options.segmentBytes ?? SEGMENT_BYTES,
        options.write ?? writeSync,
      );
      return { log, leftovers: log.recover() };
    } catch (err) {
      owner.release();
      throw err;
    }
  }

  private constructor(
    dir: string,
    private readonly owner: InboxOwnerLock,
    private readonly segmentBytes: number,
    /** `fs.writeSync`; a test replaces it to play a disk that fills up mid-write. */
    private readonly write: SegmentWrite,
  ) {
    this.dir = dir;
    // Not 'a+': with O_APPEND, Linux ignores the position of a write, and the watermark is
    // rewritten in place.
    this.watermarkFd = openSync(join(dir, WATERMARK_FILE), constants.O_RDWR | constants.O_CREAT);
    this.completed = this.readWatermark();
    this.nextId = this.completed + 1;
    this.housekeeping = setInterval(() => this.keepHouse(), HOUSEKEEPING_EVERY_MS);
    this.housekeeping.unref();
  }

  /** Gives the messages their ids and writes them in one write; they survive a process crash after. */
  append(messages: readonly NewMessage[]): InboxMessage[] {
    const withIds = messages.map((m) => ({
      id: this.nextId++,
      topic: m.topic,
      payload: m.payload,
      receivedAt: m.receivedAt,
    }));
    if (withIds.length === 0) return withIds;
    const segment = this.writable(withIds[0].id);
    const bytes = encodeInboxRecords(withIds);
    try {
      let at = 0;
      while (at < bytes.length) at += this.write(segment.fd, bytes, at, bytes.length - at);
    } catch (err) {
      this.abandon(segment);
      throw err; // their ids are not given again: ids only need to increase
    }
    segment.bytes += bytes.length;
    segment.lastId = withIds[withIds.length - 1].id;
    if (segment.bytes >= this.segmentBytes) this.seal(segment);
    return withIds;
  }

  /** Messages up to `lastId` are stored downstream: never replayed, and their segments go. */
  complete(lastId: number): void {
    if (lastId <= this.completed) return;
    this.completed = lastId;
    this.writeWatermark();
    while (this.sealed.length > 0 && this.sealed[0].lastId <= this.completed) this.drop(this.sealed.shift()!);
  }

  /** Flushes to disk and closes every file. */
  close(): void {
    clearInterval(this.housekeeping);
    if (this.active !== undefined) this.seal(this.active);
    for (const segment of this.sealed) {
      if (segment.fd === undefined) continue;
      fdatasyncSync(segment.fd);
      closeSync(segment.fd);
      segment.fd = undefined; // a flush still in flight then leaves it alone
    }
    fdatasyncSync(this.watermarkFd);
    closeSync(this.watermarkFd);
    this.owner.release();
  }

  private recover(): InboxMessage[] {
    const leftovers: InboxMessage[] = [];
    const files = readdirSync(this.dir)
      .filter((f) => f.endsWith(SEGMENT_SUFFIX))
      .map((f) => ({ path: join(this.dir, f), firstId: Number(f.slice(0, -SEGMENT_SUFFIX.length)) }))
      .filter((f) => Number.isSafeInteger(f.firstId))
      .sort((a, b) => a.firstId - b.firstId);
    files.forEach(({ path, firstId }, index) => {
      const bytes = readFileSync(path);
      const { messages, validBytes } = decodeInboxRecords(bytes);
      if (validBytes < bytes.length) this.cutTail(path, validBytes, bytes.length, index === files.length - 1);
      const segment: Segment = {
        path,
        firstId,
        lastId: messages.at(-1)?.id ?? firstId - 1,
        bytes: validBytes,
        sealed: true,
        flushing: 0,
      };
      this.nextId = Math.max(this.nextId, segment.lastId + 1);
      if (messages.length === 0 || segment.lastId <= this.completed) return rmSync(path, { force: true });
      this.sealed.push(segment);
      for (const m of messages) if (m.id > this.completed) leftovers.push(m);
    });
    return leftovers;
  }

  /** A torn tail (an OS crash mid-write) is cut so that new records never follow garbage. */
  private cutTail(path: string, validBytes: number, size: number, last: boolean): void {
    const lost = `${size - validBytes} bytes after byte ${validBytes} of ${path}`;
    if (last) this.logger.warn(`Inbox: dropping a torn tail, ${lost} (an interrupted write)`);
    else this.logger.error(`Inbox: dropping ${lost}: the segment is corrupt`);
    const fd = openSync(path, 'r+');
    try {
      ftruncateSync(fd, validBytes);
    } finally {
      closeSync(fd);
    }
  }

  private writable(firstId: number): Segment & { fd: number } {
    if (this.active === undefined) {
      const path = join(this.dir, `${String(firstId).padStart(16, '0')}${SEGMENT_SUFFIX}`);
      const fd = openSync(path, 'wx');
      this.active = { path, firstId, lastId: firstId - 1, fd, bytes: 0, sealed: false, flushing: 0 };
    }
    return this.active as Segment & { fd: number };
  }

  /**
   * After a failed write (a full disk): the segment is cut back to its last whole record, or, if
   * even that fails, left for the recovery to cut; either way it is sealed, so that no record is
   * ever written after a torn one.
   */
  private abandon(segment: Segment): void {
    try {
      if (segment.fd !== undefined) ftruncateSync(segment.fd, segment.bytes);
    } catch {
      // The recovery cuts the torn tail of a sealed segment and keeps what comes before it.
    }
    this.seal(segment);
  }

  private seal(segment: Segment): void {
    segment.sealed = true;
    this.active = undefined;
    if (segment.lastId > this.completed) {
      this.sealed.push(segment);
      this.flush(segment);
      return;
    }
    // Processed already: no flush; closed now unless a flush in flight closes it when it returns.
    if (segment.flushing === 0 && segment.fd !== undefined) closeSync(segment.fd);
    if (segment.flushing === 0) segment.fd = undefined;
    this.drop(segment);
  }

  private drop(segment: Segment): void {
    rmSync(segment.path, { force: true });
  }

  /** fdatasync on libuv's pool: the broker's thread never waits for the disk. */
  private flush(segment: Segment): void {
    const fd = segment.fd;
    if (fd === undefined) return;
    segment.flushing++;
    fdatasync(fd, () => {
      segment.flushing--;
      if (segment.sealed && segment.flushing === 0 && segment.fd !== undefined) {
        segment.fd = undefined;
        closeFd(fd, () => undefined);
      }
    });
  }

  private keepHouse(): void {
    const active = this.active;
    if (active === undefined) return;
    // All processed: sealed and deleted now, so payloads do not wait for the segment to fill.
    if (active.lastId <= this.completed) this.seal(active);
    else if (active.flushing === 0) this.flush(active);
  }

  private readWatermark(): number {
    const bytes = readFileSync(join(this.dir, WATERMARK_FILE));
    if (bytes.length < 12 || crc32(bytes.subarray(0, 8)) !== bytes.readUInt32LE(8)) {
      if (bytes.length > 0) this.logger.warn('Inbox: unreadable watermark, every kept message is replayed');
      return 0;
    }
    return bytes.readDoubleLE(0);
  }

  private writeWatermark(): void {
    this.watermarkBytes.writeDoubleLE(this.completed, 0);
    this.watermarkBytes.writeUInt32LE(crc32(this.watermarkBytes.subarray(0, 8)), 8);
    writeSync(this.watermarkFd, this.watermarkBytes, 0, 12, 0);
  }
}
