import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deriveAuditAction } from './audit-action.js';
import { redactSecrets } from '#src/auth/secret-redaction.js';

describe(deriveAuditAction.name, () => {
  it('names an action after the resource and what was done to it', () => {
    const cases: [string, string, string][] = [
      ['POST', '/api/v1/shipments', 'shipment.create'],
      ['PATCH', '/api/v1/shipments/:id', 'shipment.update'],
      ['POST', '/api/v1/shipments/:id/status', 'shipment.status-change'],
      ['POST', '/api/v1/shipments/:id/disposition', 'shipment.disposition'],
      ['DELETE', '/api/v1/keys/:id', 'key.revoke'],
      ['POST', '/api/v1/alerts/:id/acknowledge', 'alert.acknowledge'],
      ['POST', '/api/v1/alerts/:id/comments', 'alert.comment'],
      ['POST', '/api/v1/devices/:id/bind', 'device.bind'],
      ['POST', '/api/v1/devices/:id/credentials', 'device.credentials-rotate'],
      ['POST', '/api/v1/admin/import', 'admin.import'],
      ['DELETE', '/api/v1/admin/outbox/dead-letters/:id', 'admin.outbox.dead-letters.delete'],
    ];
    for (const [method, path, action] of cases) assert.equal(deriveAuditAction(method, path), action, path);
  });
});

describe(redactSecrets.name, () => {
  it('masks anything shaped like an API key and bounds the length', () => {
    const key = `cv_${'A'.repeat(43)}`;
    assert.equal(redactSecrets(`/api/v1/keys/${key}`), '/api/v1/keys/cv_***');
    assert.equal(redactSecrets('x'.repeat(1000)).length, 300);
    assert.equal(redactSecrets('/api/v1/keys/k-3f9a0c1d'), '/api/v1/keys/k-3f9a0c1d');
  });
});
