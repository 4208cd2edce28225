import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactDatabaseUrl } from './database-url.js';

describe(redactDatabaseUrl.name, () => {
  it('masks the password and keeps what an operator needs to find the server', () => {
    assert.equal(
      redactDatabaseUrl('postgres://convoi:s3cr%40t@db.internal:5432/convoi?sslmode=require'),
      'postgres://convoi:***@db.internal:5432/convoi?sslmode=require',
    );
  });

  it('masks a password given as a query parameter', () => {
    const shown = redactDatabaseUrl('postgresql://db:5432/convoi?user=convoi&password=hunter2');
    assert.ok(!shown.includes('hunter2'), shown);
    assert.match(shown, /password=\*\*\*/);
  });

  it('leaves a URL without a password as it is, and hides text that is no URL', () => {
    assert.equal(
      redactDatabaseUrl('postgres://convoi@127.0.0.1:5432/convoi'),
      'postgres://convoi@127.0.0.1:5432/convoi',
    );
    assert.equal(redactDatabaseUrl('postgres://convoi:pw@[bad'), '***');
  });
});
