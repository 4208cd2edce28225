import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { assertIfMatch, etagOf } from './versioning.js';

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

describe(assertIfMatch.name, () => {
  const version = etagOf({ id: 'C-1' });
  const read = `${version.slice(0, -1)}.bodydigest"`;

  it('takes the version, or the ETag of any read of that version (version.body digest)', () => {
    assert.doesNotThrow(() => assertIfMatch(version, version));
    assert.doesNotThrow(() => assertIfMatch(read, version));
    assert.doesNotThrow(() => assertIfMatch(`"other.x", ${read}`, version));
    assert.doesNotThrow(() => assertIfMatch('*', version));
  });

  it('refuses another version (412), a weak tag, and a missing header (428)', () => {
    const stale = `${etagOf({ id: 'C-1', notes: 'n' }).slice(0, -1)}.bodydigest"`;
    assert.throws(() => assertIfMatch(stale, version), { kind: 'precondition-failed' });
    assert.throws(() => assertIfMatch(`W/${read}`, version), { kind: 'precondition-failed' });
    assert.throws(() => assertIfMatch(undefined, version), { kind: 'precondition-required' });
  });
});
