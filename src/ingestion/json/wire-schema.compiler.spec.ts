import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileWireSchema, type WireSchema } from './wire-schema.compiler.js';

const messages = (found: { message: string }[] | undefined) => found?.map((v) => v.message);

describe(compileWireSchema.name, () => {
  it('reads field names that are not identifiers by name, never as code', () => {
    const schema: WireSchema = {
      'a"b': { kind: 'number', min: 0, max: 1 },
      "c'); throw 1; ('": { kind: 'enum', values: ['x"y'] },
    };
    const validate = compileWireSchema(schema);
    assert.equal(validate({ 'a"b': 1, "c'); throw 1; ('": 'x"y' }), undefined);
    assert.deepEqual(messages(validate({ 'a"b': 2, "c'); throw 1; ('": 'x' })), [
      'a"b must not be greater than 1',
      `c'); throw 1; (' must be one of the following values: x"y`,
    ]);
  });

  it('judges a missing required field, and skips a missing or null optional one', () => {
    const validate = compileWireSchema({
      need: { kind: 'number', min: 0, max: 1, required: true },
      may: { kind: 'number', min: 0, max: 1 },
    });
    assert.deepEqual(messages(validate({})), [
      'need must be a number conforming to the specified constraints',
    ]);
    assert.deepEqual(messages(validate({ need: null })), [
      'need must be a number conforming to the specified constraints',
    ]);
    assert.equal(validate({ need: 0, may: null }), undefined);
  });

  it('reports an unknown key of a nested object as its only violation, and goes on with the rest', () => {
    const validate = compileWireSchema({
      inner: { kind: 'object', fields: { a: { kind: 'number', min: 0, max: 1, required: true } } },
      n: { kind: 'number', min: 0, max: 1 },
    });
    assert.deepEqual(messages(validate({ inner: { a: 'x', b: 1 }, n: 5 })), [
      'inner: unknown field(s): b',
      'n must not be greater than 1',
    ]);
  });

  it('gives a custom rule the value and its answer as the message', () => {
    const seen: unknown[] = [];
    const validate = compileWireSchema({
      when: {
        kind: 'custom',
        required: true,
        problem: (value) => (
          seen.push(value),
          value === 'now' ? undefined : `when=${String(value)} is not now`
        ),
      },
    });
    assert.equal(validate({ when: 'now' }), undefined);
    assert.deepEqual(validate({ when: 'later' }), [{ range: false, message: 'when=later is not now' }]);
    assert.deepEqual(seen, ['now', 'later']);
  });

  it('refuses to compile a bound that is not a finite number', () => {
    assert.throws(
      () => compileWireSchema({ x: { kind: 'number', min: 0, max: Infinity } }),
      /not a finite number/,
    );
  });
});
