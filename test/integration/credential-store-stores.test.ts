import assert from 'node:assert/strict';
import { beforeEach, it } from 'node:test';
import { DeviceCredentialStore } from '#src/broker/auth/device-credential.store.js';
import { ManualClock } from '#src/common/clock.js';
import { DomainError } from '#src/common/domain-error.js';
import { describeEachStore } from '#test/support/store-dialects.js';
import { waitFor } from '#test/support/wait-for.js';

const T0 = Date.UTC(2026, 10, 22, 6, 0, 0);

function withCode(code: string): (err: unknown) => boolean {
  return (err) => err instanceof DomainError && err.code === code;
}

describeEachStore(DeviceCredentialStore.name, (current) => {
  let credentials: DeviceCredentialStore;
  const changes: string[] = [];

  beforeEach(async () => {
    changes.length = 0;
    credentials = new DeviceCredentialStore(current().store, current().sqlite, new ManualClock(T0));
    credentials.onChange((username, change) => changes.push(`${change} ${username}`));
    await credentials.onModuleInit();
  });

  it('issues, verifies, rotates and revokes a device credential, and tells who must go', async (t) => {
    t.after(() => credentials.onApplicationShutdown());
    const secret = await credentials.issue('dev-1');
    assert.deepEqual(await credentials.verify('dev-1', Buffer.from(secret)), {
      kind: 'device',
      name: 'dev-1',
    });
    assert.equal(await credentials.verify('dev-1', Buffer.from('wrong')), undefined);
    assert.equal(await credentials.verify('nobody', Buffer.from(secret)), undefined);
    await assert.rejects(credentials.issue('dev-1'), withCode('broker.credential-exists'));

    const rotated = await credentials.rotate('dev-1');
    assert.equal(await credentials.verify('dev-1', Buffer.from(secret)), undefined, 'the old secret stops');
    assert.ok(await credentials.verify('dev-1', Buffer.from(rotated)));
    await credentials.revoke('dev-1');
    assert.equal(await credentials.verify('dev-1', Buffer.from(rotated)), undefined);
    await assert.rejects(credentials.revoke('dev-1'), withCode('broker.credential-not-found'));
    await assert.rejects(credentials.rotate('dev-1'), withCode('broker.credential-not-found'));
    // On PostgreSQL the sessions end on the announcement, which comes back to this node too.
    await waitFor('both changes told', () => changes.length === 2);
    assert.deepEqual(changes, ['rotated dev-1', 'revoked dev-1']);

    const again = await credentials.issue('dev-1');
    assert.ok(await credentials.verify('dev-1', Buffer.from(again)), 'a revoked device is issued anew');
  });

  it('keeps integrations and devices in one namespace, with their topic roots', async (t) => {
    t.after(() => credentials.onApplicationShutdown());
    const secret = await credentials.issueIntegration('ns-1', 'chirpstack', 'application/42');
    assert.deepEqual(await credentials.verify('ns-1', Buffer.from(secret)), {
      kind: 'chirpstack',
      name: 'ns-1',
      topicRoot: 'application/42',
    });
    await assert.rejects(credentials.issue('ns-1'), withCode('broker.credential-exists'));
    await credentials.issue('dev-2');
    await assert.rejects(
      credentials.issueIntegration('dev-2', 'operator'),
      withCode('broker.credential-exists'),
    );
    await assert.rejects(
      credentials.issueIntegration('ns-2', 'tts', 'application'),
      withCode('broker.topic-root-invalid'),
    );
    await assert.rejects(credentials.issue('convoi-platform'), withCode('broker.username-invalid'));
    await credentials.revokeIntegration('ns-1');
    assert.equal(await credentials.verify('ns-1', Buffer.from(secret)), undefined);
    await assert.rejects(
      credentials.issueIntegration('ns-1', 'operator'),
      withCode('broker.credential-exists'),
    );
  });
});
