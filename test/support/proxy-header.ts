// PROXY protocol bytes as a load balancer sends them, for tests that stand in for HAProxy.
import { connect, type Socket } from 'node:net';
import { Duplex } from 'node:stream';

/** A v2 PROXY header for a TCP client `source`:`port` over IPv4 to 127.0.0.1:1883, as `send-proxy-v2` writes it. */
export function proxyV2(source: string, port: number): Buffer {
  const header = Buffer.from('0d0a0d0a000d0a515549540a2111000c', 'hex');
  const addresses = Buffer.alloc(12);
  source.split('.').forEach((octet, i) => (addresses[i] = Number(octet)));
  Buffer.from([127, 0, 0, 1]).copy(addresses, 4);
  addresses.writeUInt16BE(port, 8);
  addresses.writeUInt16BE(1883, 10);
  return Buffer.concat([header, addresses]);
}

/**
 * A connection to 127.0.0.1:`port` as a stream whose first write goes out behind `header` in one
 * `write` (one TCP segment), as HAProxy sends a header with the client's first bytes: hand it to
 * `tls.connect({ socket })` and the header shares a segment with the ClientHello.
 */
export function connectionOpenedBy(header: Buffer, port: number): Duplex {
  const raw: Socket = connect({ host: '127.0.0.1', port });
  let pending: Buffer | undefined = header;
  const carrier = new Duplex({
    write(chunk: Buffer, _encoding, callback) {
      raw.write(pending === undefined ? chunk : Buffer.concat([pending, chunk]), callback);
      pending = undefined;
    },
    read() {},
    final(callback) {
      raw.end();
      callback();
    },
  });
  raw.on('data', (chunk: Buffer) => carrier.push(chunk));
  raw.on('end', () => carrier.push(null));
  raw.on('close', () => carrier.destroy());
  raw.on('error', () => undefined);
  return carrier;
}
