import 'reflect-metadata';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { configKeys } from '../app-settings.js';

/** `.env.example` is the documentation of every setting: it must list exactly what AppConfig reads. */
describe('.env.example', () => {
  const documented = readFileSync('.env.example', 'utf8')
    .split('\n')
    .filter((line) => /^[A-Z][A-Z0-9_]*=/.test(line))
    .map((line) => line.slice(0, line.indexOf('=')));

  it('documents every configuration variable', () => {
    const missing = configKeys().filter((k) => !documented.includes(k));
    assert.deepEqual(missing, [], `add to .env.example: ${missing.join(', ')}`);
  });

  it('documents nothing convoi does not read', () => {
    const known = new Set(configKeys());
    const unknown = documented.filter((k) => !known.has(k));
    assert.deepEqual(unknown, [], `not read by AppConfig: ${unknown.join(', ')}`);
  });

  it('is matched by the README configuration table', () => {
    const readme = readFileSync('README.md', 'utf8');
    const undocumented = configKeys().filter((k) => !readme.includes(`\`${k}\``));
    assert.deepEqual(undocumented, [], `add to README's configuration table: ${undocumented.join(', ')}`);
  });
});
