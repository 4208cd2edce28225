import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseProxyHeader,
  PROXY_V1_MAX_BYTES,
  PROXY_V2_MAX_PAYLOAD_BYTES,
  PROXY_V2_SIGNATURE,
} from './proxy-header.parser.js';

/** A v2 header: version/command byte, family/transport byte, then the payload as given. */
function v2(
  versionCommand: number,
  familyTransport: number,
  payload: Buffer,
  declared = payload.length,
): Buffer {
  const fixed = Buffer.from([versionCommand, familyTransport, declared >> 8, declared & 0xff]);
  return Buffer.concat([PROXY_V2_SIGNATURE, fixed, payload]);
}

/** IPv4 source 192.0.2.7:51000 to 10.0.0.1:1883, as HAProxy's send-proxy-v2 writes it. */
const INET_PAYLOAD = Buffer.from([192, 0, 2, 7, 10, 0, 0, 1, 0xc7, 0x38, 0x07, 0x5b]);

function inet6Payload(source: number[]): Buffer {
  const payload = Buffer.alloc(36);
  Buffer.from(source).copy(payload, 0);
  payload[31] = 1; // destination ::1
  payload.writeUInt16BE(40000, 32);
  payload.writeUInt16BE(8883, 34);
  return payload;
}

void describe(parseProxyHeader.name, () => {
  void it('reads a v2 PROXY header over IPv4 and says where the MQTT bytes begin', () => {
    const header = v2(0x21, 0x11, INET_PAYLOAD);
    const withMqtt = Buffer.concat([header, Buffer.from([0x10, 0x00])]);
    assert.deepEqual(parseProxyHeader(withMqtt), {
      kind: 'proxied',
      headerBytes: 28,
      peer: { address: '192.0.2.7', port: 51000 },
    });
  });

  void it('reads a v2 PROXY header over IPv6, in the text form Node gives socket addresses', () => {
    const doc = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x42];
    assert.deepEqual(parseProxyHeader(v2(0x21, 0x21, inet6Payload(doc))), {
      kind: 'proxied',
      headerBytes: 52,
      peer: { address: '2001:db8::42', port: 40000 },
    });
    const mapped = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 2];
    const result = parseProxyHeader(v2(0x21, 0x21, inet6Payload(mapped)));
    assert.equal(result.kind === 'proxied' && result.peer.address, '::ffff:127.0.0.2');
    const full = [0x20, 0x01, 0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7];
    const noZeros = parseProxyHeader(v2(0x21, 0x21, inet6Payload(full)));
    assert.equal(noZeros.kind === 'proxied' && noZeros.peer.address, '2001:1:2:3:4:5:6:7');
  });

  void it('skips the TLVs after the v2 address block', () => {
    const tlv = Buffer.from([0x05, 0x00, 0x03, 0x61, 0x62, 0x63]); // PP2_TYPE_UNIQUE_ID "abc"
    const result = parseProxyHeader(v2(0x21, 0x11, Buffer.concat([INET_PAYLOAD, tlv])));
    assert.deepEqual(result, {
      kind: 'proxied',
      headerBytes: 34,
      peer: { address: '192.0.2.7', port: 51000 },
    });
  });

  void it('takes a v2 LOCAL header (health check) as no client, whatever its family', () => {
    assert.deepEqual(parseProxyHeader(v2(0x20, 0x00, Buffer.alloc(0))), { kind: 'local', headerBytes: 16 });
    assert.deepEqual(parseProxyHeader(v2(0x20, 0x11, INET_PAYLOAD)), { kind: 'local', headerBytes: 28 });
  });

  void it('waits for the rest of a header split anywhere, one byte at a time', () => {
    const header = v2(0x21, 0x11, INET_PAYLOAD);
    for (let n = 0; n < header.length; n++)
      assert.deepEqual(parseProxyHeader(header.subarray(0, n)), { kind: 'incomplete' }, `v2, ${n} bytes`);
    const text = Buffer.from('PROXY TCP4 192.0.2.7 10.0.0.1 51000 1883\r\n');
    for (let n = 0; n < text.length; n++)
      assert.deepEqual(parseProxyHeader(text.subarray(0, n)), { kind: 'incomplete' }, `v1, ${n} bytes`);
  });

  void it('refuses a v2 header with a wrong signature, version, command or family', () => {
    const badSignature = v2(0x21, 0x11, INET_PAYLOAD);
    badSignature[7] = 0x00;
    // Refused from its first wrong byte, not once the whole header is in.
    assert.deepEqual(parseProxyHeader(badSignature.subarray(0, 8)), {
      kind: 'invalid',
      problem: 'signature',
    });
    const cases: [number, number, string][] = [
      [0x11, 0x11, 'version'],
      [0x31, 0x11, 'version'],
      [0x22, 0x11, 'command'],
      [0x2f, 0x11, 'command'],
      [0x21, 0x00, 'family'], // UNSPEC with PROXY: no client to account for
      [0x21, 0x31, 'family'], // UNIX stream
      [0x21, 0x12, 'family'], // UDP over IPv4
      [0x21, 0x41, 'family'], // unknown family
    ];
    for (const [versionCommand, familyTransport, problem] of cases) {
      assert.deepEqual(
        parseProxyHeader(v2(versionCommand, familyTransport, INET_PAYLOAD)),
        { kind: 'invalid', problem },
        `0x${versionCommand.toString(16)} 0x${familyTransport.toString(16)}`,
      );
    }
  });

  void it('refuses a v2 address block too short for its family', () => {
    assert.deepEqual(parseProxyHeader(v2(0x21, 0x11, INET_PAYLOAD.subarray(0, 11))), {
      kind: 'invalid',
      problem: 'address',
    });
    assert.deepEqual(parseProxyHeader(v2(0x21, 0x21, INET_PAYLOAD)), { kind: 'invalid', problem: 'address' });
  });

  void it('refuses a v2 header declaring more than the bound from its fixed part alone', () => {
    const fixedOnly = v2(0x21, 0x11, Buffer.alloc(0), PROXY_V2_MAX_PAYLOAD_BYTES + 1);
    assert.deepEqual(parseProxyHeader(fixedOnly), { kind: 'invalid', problem: 'too_long' });
    assert.deepEqual(parseProxyHeader(v2(0x21, 0x11, Buffer.alloc(0), 0xffff)), {
      kind: 'invalid',
      problem: 'too_long',
    });
    const atBound = Buffer.concat([INET_PAYLOAD, Buffer.alloc(PROXY_V2_MAX_PAYLOAD_BYTES - 12)]);
    assert.equal(parseProxyHeader(v2(0x21, 0x11, atBound)).kind, 'proxied');
  });

  void it('reads v1 TCP4 and TCP6 headers', () => {
    assert.deepEqual(parseProxyHeader(Buffer.from('PROXY TCP4 192.0.2.7 10.0.0.1 51000 1883\r\n\x10')), {
      kind: 'proxied',
      headerBytes: 42,
      peer: { address: '192.0.2.7', port: 51000 },
    });
    const six = parseProxyHeader(Buffer.from('PROXY TCP6 2001:db8::42 ::1 40000 8883\r\n'));
    assert.deepEqual(six, {
      kind: 'proxied',
      headerBytes: 40,
      peer: { address: '2001:db8::42', port: 40000 },
    });
  });

  void it('takes v1 UNKNOWN as no client, with or without addresses after it', () => {
    assert.deepEqual(parseProxyHeader(Buffer.from('PROXY UNKNOWN\r\n')), { kind: 'local', headerBytes: 15 });
    const withRest = Buffer.from('PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\n');
    assert.equal(parseProxyHeader(withRest).kind, 'local');
  });

  void it('refuses malformed v1 headers, each for its own reason', () => {
    const cases: [string, string][] = [
      ['PROXZ TCP4 192.0.2.7 10.0.0.1 51000 1883\r\n', 'signature'],
      ['PROXY UDP4 192.0.2.7 10.0.0.1 51000 1883\r\n', 'family'],
      ['PROXY tcp4 192.0.2.7 10.0.0.1 51000 1883\r\n', 'family'],
      ['PROXY TCP4 192.0.2.7 10.0.0.1 51000\r\n', 'syntax'],
      ['PROXY TCP4 192.0.2.7  10.0.0.1 51000 1883\r\n', 'syntax'],
      ['PROXY TCP4 192.0.2.7 10.0.0.1 51000 1883 \r\n', 'syntax'],
      ['PROXY TCP4 192.0.2.7 10.0.0.1 51000 1883 9\r\n', 'syntax'],
      ['PROXY TCP4 192.0.2.300 10.0.0.1 51000 1883\r\n', 'address'],
      ['PROXY TCP4 2001:db8::1 10.0.0.1 51000 1883\r\n', 'address'],
      ['PROXY TCP6 192.0.2.7 ::1 51000 1883\r\n', 'address'],
      ['PROXY TCP4 192.0.2.7 10.0.0.1 65536 1883\r\n', 'port'],
      ['PROXY TCP4 192.0.2.7 10.0.0.1 051000 1883\r\n', 'port'],
      ['PROXY TCP4 192.0.2.7 10.0.0.1 -1 1883\r\n', 'port'],
      ['PROXY TCP4 192.0.2.7 10.0.0.1 51000 x\r\n', 'port'],
    ];
    for (const [text, problem] of cases)
      assert.deepEqual(
        parseProxyHeader(Buffer.from(text)),
        { kind: 'invalid', problem },
        JSON.stringify(text),
      );
  });

  void it('refuses a v1 header with no CRLF within 107 bytes, without waiting for more', () => {
    const endless = Buffer.from(`PROXY TCP4 ${'1'.repeat(200)}`);
    assert.deepEqual(parseProxyHeader(endless.subarray(0, PROXY_V1_MAX_BYTES)), {
      kind: 'invalid',
      problem: 'too_long',
    });
    assert.deepEqual(parseProxyHeader(endless.subarray(0, PROXY_V1_MAX_BYTES - 1)), { kind: 'incomplete' });
    // A CRLF past byte 107 does not make it a header.
    const late = Buffer.concat([endless.subarray(0, 120), Buffer.from('\r\n')]);
    assert.deepEqual(parseProxyHeader(late), { kind: 'invalid', problem: 'too_long' });
  });

  void it('refuses a connection that opens with MQTT or anything else', () => {
    assert.deepEqual(parseProxyHeader(Buffer.from([0x10, 0x0c, 0x00, 0x04])), {
      kind: 'invalid',
      problem: 'signature',
    });
    assert.deepEqual(parseProxyHeader(Buffer.from('GET / HTTP/1.1\r\n')), {
      kind: 'invalid',
      problem: 'signature',
    });
    assert.deepEqual(parseProxyHeader(Buffer.from('PUT / HTTP/1.1\r\n')), {
      kind: 'invalid',
      problem: 'signature',
    });
    assert.deepEqual(parseProxyHeader(Buffer.from('\r\n\r\nx')), { kind: 'invalid', problem: 'signature' });
  });

  void it('never throws on random bytes behind either signature', () => {
    let seed = 7;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) & 0xff;
    for (let i = 0; i < 2000; i++) {
      const tail = Buffer.from(Array.from({ length: random() }, random));
      const prefix = i % 2 === 0 ? PROXY_V2_SIGNATURE : Buffer.from('PROXY ');
      const result = parseProxyHeader(Buffer.concat([prefix, tail]));
      if (result.kind === 'proxied' || result.kind === 'local')
        assert.ok(result.headerBytes <= 16 + PROXY_V2_MAX_PAYLOAD_BYTES);
    }
  });
});
