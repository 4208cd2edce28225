import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { headers } from '@nats-io/transport-node';
import { appendHeaders } from './append-headers.js';

/** What the client's publish writes for a set of headers (it calls `encode()`). */
const encoded = (h: unknown): string => new TextDecoder().decode((h as { encode(): Uint8Array }).encode());

describe(appendHeaders.name, () => {
  it("encodes the block byte for byte as the client's own headers", () => {
    const theirs = headers();
    theirs.set('Nats-Expected-Stream', 'CONVOI_READINGS');
    assert.equal(encoded(appendHeaders('CONVOI_READINGS')), encoded(theirs));
  });

  it('refuses a stream name that would break the block', () => {
    for (const stream of ['S\r\nX: y', 'a\nb', '', ' a'])
      assert.throws(() => appendHeaders(stream), RangeError, JSON.stringify(stream));
  });
});
