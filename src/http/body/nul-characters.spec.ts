import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mayHoldNul, nulCharacterPath } from './nul-characters.js';

describe('nulCharacterPath', () => {
  it('names the first string or key holding U+0000', () => {
    assert.equal(nulCharacterPath({ id: 'C1', label: 'a\0b' }), 'label');
    assert.equal(nulCharacterPath({ containers: [{ id: 'C1' }, { id: 'C\0' }] }), 'containers[1].id');
    assert.equal(nulCharacterPath({ tags: { 'k\0': 1 } }), 'tags.k\\u0000');
    assert.equal(nulCharacterPath('\0'), '(body)');
  });

  it('finds nothing in a body without one', () => {
    assert.equal(
      nulCharacterPath({ id: 'C1', n: 0, list: [null, true, 'x'], nested: { a: '\\u0000' } }),
      undefined,
    );
  });

  it('looks further only where the text holds the escape', () => {
    assert.equal(mayHoldNul('{"a":"\\u0000"}'), true);
    assert.equal(mayHoldNul('{"a":"\\U0000"}'), true);
    assert.equal(mayHoldNul('{"a":"x"}'), false);
  });
});
