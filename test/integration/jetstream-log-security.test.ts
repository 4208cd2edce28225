// The input log on a real nats-server that requires authentication or TLS: convoi connects with
// the credentials and certificates its settings name, and a missing or wrong one fails the start
// with an error that names the problem and never holds the secret.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { partitionOf } from '#src/contracts/partition.js';
import type { JetStreamLog } from '#src/log/jetstream/jetstream-log.js';
import { openLog, readUntil } from '#test/support/jetstream-log.js';
import {
  NatsServerProcess,
  natsServerInstalled,
  type NatsServerSecurity,
} from '#test/support/nats-server.js';
import { createNatsAccounts } from '#test/support/nats-accounts.js';
import { createTestCertificates, type TestCertificates } from '#test/support/tls.js';

const PASSWORD = 'pw-of-the-log-4bd1';
const TOKEN = 'token-of-the-log-77c2';

describe(
  'input log on a NATS server that requires authentication or TLS',
  { skip: !natsServerInstalled() },
  () => {
    let certs: TestCertificates;
    let server: NatsServerProcess | undefined;
    const opened: JetStreamLog[] = [];

    const serve = async (security: NatsServerSecurity): Promise<string> => {
      server = new NatsServerProcess(undefined, security);
      await server.start();
      return server.url;
    };
    /** Opens the log with `settings`, appends one entry and reads it back. */
    const roundTrip = async (url: string, settings: Record<string, string>): Promise<void> => {
      const log = await openLog(url, settings);
      opened.push(log);
      const containerId = 'REEFER-001';
      await log.appender.append({
        containerId,
        deviceId: 'sensor-1',
        topic: 'v1/devices/sensor-1/telemetry',
        payload: Buffer.from('{"t":4.2}'),
        receivedAt: 1_765_000_000_000,
      });
      const [entry] = await readUntil(log, new Map([[partitionOf(containerId, 8), 0]]), 1);
      assert.equal(Buffer.from(entry.payload).toString(), '{"t":4.2}');
    };
    /** Opening the log with `settings` fails with a message matching `reason`, free of secrets. */
    const refused = async (url: string, settings: Record<string, string>, reason: RegExp): Promise<void> => {
      await assert.rejects(openLog(url, settings), (err: Error) => {
        assert.match(err.message, reason);
        for (const secret of [PASSWORD, TOKEN])
          assert.ok(!err.message.includes(secret), 'no secret in the error');
        return true;
      });
    };

    before(() => {
      certs = createTestCertificates();
    });
    afterEach(async () => {
      for (const log of opened.splice(0)) await log.close();
      await server?.dispose();
      server = undefined;
    });
    after(() => certs.remove());

    it('connects as NATS_USER with NATS_PASSWORD; without them, or with a wrong password, the open fails', async () => {
      const url = await serve({ user: { name: 'convoi', password: PASSWORD } });
      await roundTrip(url, { NATS_USER: 'convoi', NATS_PASSWORD: PASSWORD });
      await refused(url, {}, /cannot connect to NATS \(nats:\/\/127\.0\.0\.1:\d+\): .*authorization/i);
      await refused(url, { NATS_USER: 'convoi', NATS_PASSWORD: `${PASSWORD}-wrong` }, /authorization/i);
    });

    it('connects with NATS_TOKEN; without it the open fails', async () => {
      const url = await serve({ token: TOKEN });
      await roundTrip(url, { NATS_TOKEN: TOKEN });
      await refused(url, { NATS_TOKEN: 'not-the-token' }, /authorization/i);
    });

    it('connects as the user of NATS_CREDS_FILE to a server of accounts (operator mode); without it the open fails', async () => {
      const accounts = createNatsAccounts(certs.dir);
      const url = await serve({ operatorConfigFile: accounts.serverConfigFile });
      await roundTrip(url, { NATS_CREDS_FILE: accounts.credsFile });
      await refused(url, {}, /authorization/i);
    });

    it('connects over TLS to a server whose certificate NATS_TLS_CA_FILE signed; without the CA the open fails', async () => {
      const url = await serve({ tls: { certFile: certs.certFile, keyFile: certs.keyFile } });
      await roundTrip(url, { NATS_TLS_CA_FILE: certs.caFile });
      await roundTrip(url.replace('nats://', 'tls://'), { NATS_TLS_CA_FILE: certs.caFile });
      await refused(url, {}, /certificate/i);
    });

    // Without the certificate the client waits out its connect timeout (20 s): not worth a case.
    it('presents NATS_TLS_CERT_FILE and its key to a server that verifies clients', async () => {
      const url = await serve({
        tls: { certFile: certs.certFile, keyFile: certs.keyFile, verifyClientsWithCa: certs.caFile },
      });
      await roundTrip(url, {
        NATS_TLS_CA_FILE: certs.caFile,
        NATS_TLS_CERT_FILE: certs.clientCertFile,
        NATS_TLS_KEY_FILE: certs.clientKeyFile,
      });
    });

    it('requires TLS when a CA is named: a server without TLS is refused, never used in clear', async () => {
      const url = await serve({});
      await refused(url, { NATS_TLS_CA_FILE: certs.caFile }, /tls/i);
    });

    it('names the setting whose file is missing', async () => {
      const url = await serve({});
      await refused(
        url,
        { NATS_TLS_CA_FILE: '/nonexistent/ca.pem' },
        /NATS_TLS_CA_FILE: no file at \/nonexistent\/ca\.pem/,
      );
      await refused(url, { NATS_CREDS_FILE: '/nonexistent/convoi.creds' }, /NATS_CREDS_FILE: no file/);
    });
  },
);
