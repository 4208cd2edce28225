import type { InboxMessage } from './ingest-journal.js';

/**
 * A batch of inbox messages in the shape that crosses threads cheaply: the payloads concatenated
 * in one buffer (transferred, not copied) with their end offsets, instead of one cloned object
 * and buffer per message.
 */
export interface PackedMessages {
  ids: Float64Array;
  receivedAt: Float64Array;
  topics: string[];
  ends: Uint32Array;
  payloads: Uint8Array;
}

export function packMessages(messages: readonly InboxMessage[]): PackedMessages {
  const n = messages.length;
  const ids = new Float64Array(n);
  const receivedAt = new Float64Array(n);
  const ends = new Uint32Array(n);
  const topics = new Array<string>(n);
  let size = 0;
  for (let i = 0; i < n; i++) size += messages[i].payload.length;
  const payloads = new Uint8Array(size);
  let end = 0;
  for (let i = 0; i < n; i++) {
    const m = messages[i];
    ids[i] = m.id;
    receivedAt[i] = m.receivedAt;
    topics[i] = m.topic;
    payloads.set(m.payload, end);
    end += m.payload.length;
    ends[i] = end;
  }
  return { ids, receivedAt, topics, ends, payloads };
}

/** The buffers a packed batch can hand over instead of copying. */
export function transferablesOf(batch: PackedMessages): ArrayBuffer[] {
  return [
    batch.ids.buffer,
    batch.receivedAt.buffer,
    batch.ends.buffer,
    batch.payloads.buffer,
  ] as ArrayBuffer[];
}

/** The messages of a packed batch; each payload is a view into the one shared buffer. */
export function unpackMessages(batch: PackedMessages): InboxMessage[] {
  const all = Buffer.from(batch.payloads.buffer, batch.payloads.byteOffset, batch.payloads.byteLength);
  const messages = new Array<InboxMessage>(batch.topics.length);
  let start = 0;
  for (let i = 0; i < messages.length; i++) {
    const end = batch.ends[i];
    messages[i] = {
      id: batch.ids[i],
      topic: batch.topics[i],
      payload: all.subarray(start, end),
      receivedAt: batch.receivedAt[i],
    };
    start = end;
  }
  return messages;
}
