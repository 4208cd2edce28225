import type { MsgHdrs } from '@nats-io/transport-node';

/**
 * The header block of every append (`Nats-Expected-Stream`, so that the server refuses an append
 * if another stream took the subject), encoded once as the NATS protocol carries it (`NATS/1.0`,
 * CRLF-separated, a blank line at the end). The client's `headers()` builds a map per message,
 * checks every key and value and encodes the whole block again: that was a tenth of an append's
 * client CPU. The client's `publish` only calls `encode()` on the headers it is given (nats-core
 * 3.4), which is all this offers: the spec checks the bytes against the client's own encoding.
 *
 * No `Nats-Msg-Id`: a message holds the entries of one edge turn, which no one appends again as
 * such (a device's resend is in another turn's message), so the stream's duplicate window would
 * drop nothing; the processor drops a resent reading by its identity (ARCHITECTURE.md §9).
 * Throws a RangeError for a stream name that would break the block.
 */
export function appendHeaders(stream: string): MsgHdrs {
  if (stream === '' || /[\r\n]|^\s|\s$/.test(stream))
    throw new RangeError(`stream name ${JSON.stringify(stream)} cannot be a NATS header value`);
  const bytes = new TextEncoder().encode(`NATS/1.0\r\nNats-Expected-Stream: ${stream}\r\n\r\n`);
  return { encode: () => bytes } as unknown as MsgHdrs;
}
