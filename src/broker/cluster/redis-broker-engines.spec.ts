import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { Clock } from '#src/common/clock.js';
import { openRedisBrokerEngines } from './redis-broker-engines.js';

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe(openRedisBrokerEngines.name, () => {
  it('refuses a Redis that is not ready in time, naming the setting and not the password', async () => {
    const url = `redis://convoi:topsecret@127.0.0.1:${await closedPort()}/1`;
    await assert.rejects(openRedisBrokerEngines(url, new Clock(), 200), (err: Error) => {
      assert.match(
        err.message,
        /^Redis at redis:\/\/convoi:\*\*\*@127\.0\.0\.1:\d+\/1 \(BROKER_REDIS_URL\) not ready/,
      );
      assert.doesNotMatch(err.message, /topsecret/);
      return true;
    });
  });
});
