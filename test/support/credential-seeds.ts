import assert from 'node:assert/strict';
import type { TestApp } from './test-app.js';

/** The revoked one of {@link seedMqttCredentials}: its secret must never authenticate again. */
export const REVOKED_DEVICE = 'sensor-reefer-002';

/**
 * MQTT credentials through the REST API as an admin would make them: a device's, a revoked
 * device's ({@link REVOKED_DEVICE}) and a ChirpStack integration's. Returns each secret by username.
 */
export async function seedMqttCredentials(app: TestApp): Promise<Record<string, string>> {
  const secrets: Record<string, string> = {};
  for (const device of ['sensor-reefer-001', REVOKED_DEVICE]) {
    const res = await app.request(`/api/v1/devices/${device}/credentials`, { method: 'POST' });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    secrets[device] = res.body.secret as string;
  }
  const revoked = await app.request(`/api/v1/devices/${REVOKED_DEVICE}/credentials`, { method: 'DELETE' });
  assert.equal(revoked.status, 204);
  const integration = await app.request('/api/v1/admin/integrations', {
    method: 'POST',
    body: JSON.stringify({ name: 'ns-lyon', kind: 'chirpstack', topicRoot: 'application/7' }),
  });
  assert.equal(integration.status, 201, JSON.stringify(integration.body));
  secrets['ns-lyon'] = integration.body.secret as string;
  return secrets;
}
