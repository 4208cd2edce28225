import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { etagOf } from './versioning.js';

describe(etagOf.name, () => {
  it('is the strong tag clients already hold: 22 base64url characters of the SHA-256 of the fields', () => {
    const container = { id: 'REEFER-001', kind: 'reefer', label: 'Semi 13,6 m n°1', siteId: 'DC-LYON-SQF' };
    const before = createHash('sha256').update(JSON.stringify(container)).digest('base64url').slice(0, 22);
    assert.equal(etagOf(container), `"${before}"`);
  });

  it('changes with any edit and not without one', () => {
    const a = { id: 'C-1', kind: 'pallet', label: 'x' };
    assert.equal(etagOf({ ...a }), etagOf(a));
    assert.notEqual(etagOf({ ...a, notes: 'n' }), etagOf(a));
  });
});
