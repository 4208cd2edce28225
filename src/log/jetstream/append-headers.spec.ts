import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { headers } from '@nats-io/transport-node';
import { AppendHeaders } from './append-headers.js';

/** What the client's publish writes for a set of headers (it calls `encode()`). */
const encoded = (h: unknown): string => new TextDecoder().decode((h as { encode(): Uint8Array }).encode());

describe(AppendHeaders.name, () => {
  it("encodes the block byte for byte as the client's own headers", () => {
    const theirs = headers();
    theirs.set('Nats-Msg-Id', 'kq3P-x_9Zb');
    theirs.set('Nats-Expected-Stream', 'CONVOI_READINGS');
    assert.equal(encoded(new AppendHeaders('CONVOI_READINGS').of('kq3P-x_9Zb')), encoded(theirs));
  });

  it('refuses an id or a stream name that would break the block', () => {
    const appendHeaders = new AppendHeaders('S');
    for (const id of ['a\r\nNats-Expected-Stream: other', 'a\nb', '', ' a'])
      assert.throws(() => appendHeaders.of(id), RangeError, JSON.stringify(id));
    assert.throws(() => new AppendHeaders('S\r\nX: y'), RangeError);
  });
});
