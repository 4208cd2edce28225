import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DeviceCredentialStore } from '#src/broker/auth/device-credential.store.js';
import { nodesOnOnePostgres } from '#test/support/nodes-on-postgres.js';
import { waitFor } from '#test/support/wait-for.js';

const DEVICE = 'sensor-reefer-001';
/**
 * How soon a change through one node holds on the other: the announcement (NOTIFY) is delivered
 * at the commit, in milliseconds; this leaves room for a loaded machine.
 */
const PROPAGATION_MS = 2000;

/**
 * Two nodes (each its own MQTT edge) on one PostgreSQL: a credential issued, rotated or revoked
 * through one node's REST API holds on the other's edge, live sessions included, though both
 * keep verified credentials in memory.
 */
describe(`MQTT credentials on two nodes sharing one PostgreSQL (${DeviceCredentialStore.name})`, () => {
  const nodes = nodesOnOnePostgres(2, { BROKER_ALLOW_ANONYMOUS: 'false' });

  it('a credential issued, rotated or revoked through A holds on B’s edge within the bound', async () => {
    const [a, b] = nodes;
    const connectToB = (password: string) =>
      b.mqtt({ clientId: DEVICE, username: DEVICE, password, connectTimeout: 3000 });
    // B has tried the username before it exists: its memory must not keep that refusal.
    await assert.rejects(connectToB('not-yet-issued'));

    const issued = await a.request(`/api/v1/devices/${DEVICE}/credentials`, { method: 'POST' });
    assert.equal(issued.status, 201, JSON.stringify(issued.body));
    const first = issued.body.secret as string;
    const session = await waitFor('B accepts the new secret', () => connectToB(first), PROPAGATION_MS);

    const rotated = await a.request(`/api/v1/devices/${DEVICE}/credentials`, { method: 'POST' });
    assert.equal(rotated.status, 201);
    const second = rotated.body.secret as string;
    await waitFor('B ends the session of the old secret', () => !session.connected, PROPAGATION_MS);
    await assert.rejects(connectToB(first), 'the old secret is refused');
    const renewed = await waitFor('B accepts the rotated secret', () => connectToB(second), PROPAGATION_MS);

    assert.equal(
      (await a.request(`/api/v1/devices/${DEVICE}/credentials`, { method: 'DELETE' })).status,
      204,
    );
    await waitFor('B ends the revoked session', () => !renewed.connected, PROPAGATION_MS);
    await assert.rejects(connectToB(second), 'a revoked secret is refused');
  });

  it('an integration created through B authenticates on A, and its revocation through A holds on B', async () => {
    const [a, b] = nodes;
    const created = await b.request('/api/v1/admin/integrations', {
      method: 'POST',
      body: JSON.stringify({ name: 'ops-two-nodes', kind: 'operator' }),
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const secret = created.body.secret as string;
    const options = { clientId: 'ops-two-nodes-1', username: 'ops-two-nodes', password: secret };
    await waitFor('A accepts the integration', () => a.mqtt(options), PROPAGATION_MS);
    const onB = await b.mqtt({ ...options, clientId: 'ops-two-nodes-2' });
    assert.equal(
      (await a.request('/api/v1/admin/integrations/ops-two-nodes', { method: 'DELETE' })).status,
      204,
    );
    await waitFor('B ends the integration’s session', () => !onB.connected, PROPAGATION_MS);
    await assert.rejects(b.mqtt({ ...options, clientId: 'ops-two-nodes-3', connectTimeout: 3000 }));
  });
});
