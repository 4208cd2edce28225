import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { booleanArrayLiteral, numberArrayLiteral, textArrayLiteral } from './postgres-array-literal.js';

describe(textArrayLiteral.name, () => {
  it('quotes every element and escapes quotes and backslashes, the parts written as one array', () => {
    assert.equal(
      textArrayLiteral([
        ['C1', 'a,b', '{x}'],
        ['NULL', 'say "hi"', 'back\\slash', ' '],
      ]),
      '{"C1","a,b","{x}","NULL","say \\"hi\\"","back\\\\slash"," "}',
    );
  });

  it('writes NULL unquoted, and a column of nothing but NULL as the empty array unnest pads', () => {
    assert.equal(textArrayLiteral([[null, 'S1'], [null]]), '{NULL,"S1",NULL}');
    assert.equal(textArrayLiteral([[null], [null]]), '{}');
  });
});

describe(numberArrayLiteral.name, () => {
  it("writes each number in JavaScript's round-trip form, unquoted", () => {
    const values = [0, -3.25, 0.1 + 0.2, 1_765_000_000_123, 1e-7, Number.MAX_SAFE_INTEGER, NaN, -Infinity];
    assert.equal(
      numberArrayLiteral([values]),
      '{0,-3.25,0.30000000000000004,1765000000123,1e-7,9007199254740991,NaN,-Infinity}',
    );
  });

  it('writes NULL, and nothing but NULL as {}', () => {
    assert.equal(numberArrayLiteral([[null], [], [4]]), '{NULL,4}');
    assert.equal(numberArrayLiteral([[null]]), '{}');
  });
});

describe(booleanArrayLiteral.name, () => {
  it('writes t, f and NULL, and nothing but NULL as {}', () => {
    assert.equal(booleanArrayLiteral([[true, false, null]]), '{t,f,NULL}');
    assert.equal(booleanArrayLiteral([[null, null], [null]]), '{}');
  });
});
