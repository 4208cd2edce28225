import 'reflect-metadata';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Clock } from '#src/common/clock.js';
import { Metrics } from '#src/common/metrics.js';
import { waitFor } from '#test/support/wait-for.js';
import { AddressSet } from './address-set.js';
import { ProxyProtocolAcceptor } from './proxy-protocol.acceptor.js';

/** A PROXY v2 LOCAL header, as HAProxy's `check-send-proxy` health checks open with. */
const LOCAL_V2 = '0d0a0d0a000d0a515549540a' + '20' + '00' + '0000';

describe(ProxyProtocolAcceptor.name, () => {
  let server: Server;
  let port: number;
  let handedOn: Socket[];
  let accepted: number;
  let metrics: Metrics;

  beforeEach(async () => {
    metrics = new Metrics();
    const acceptor = new ProxyProtocolAcceptor(new AddressSet(['127.0.0.1']), 1000, metrics, new Clock());
    handedOn = [];
    accepted = 0;
    const listener = acceptor.listener((socket) => handedOn.push(socket));
    server = createServer((socket) => {
      accepted++;
      listener(socket);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterEach(async () => {
    for (const socket of handedOn) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('drops a connection its peer reset before it was looked at, handing nothing on', async () => {
    // HAProxy closes its health checks with a reset. While this process is blocked (spawnSync),
    // the kernel completes the child's handshake, takes its LOCAL header and the reset: the
    // socket accepted afterwards has no remote address any more.
    const script = `const s = require('net').connect(${port}, '127.0.0.1', () => {
      s.write(Buffer.from('${LOCAL_V2}', 'hex'), () => s.resetAndDestroy()); });
      s.on('close', () => process.exit(0)); s.on('error', () => process.exit(0));`;
    const child = spawnSync(process.execPath, ['-e', script], { timeout: 10_000 });
    assert.equal(child.status, 0, child.stderr.toString());
    await waitFor('the connection accepted', () => accepted === 1);
    assert.equal(handedOn.length, 0, 'no socket without an address goes on to the guard');
    const text = await metrics.registry.metrics();
    assert.doesNotMatch(text, /convoi_broker_rejected_total\{[^}]*\} [1-9]/, 'no refusal counted');
  });
});
