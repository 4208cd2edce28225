import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PageCopies } from './page-copies.js';

describe(PageCopies.name, () => {
  it('copies the array as it is now: a later change of the array is not in the copy', () => {
    const copies = new PageCopies(4);
    const numbers = new Float64Array([1.5, 2.5]);
    const copy = copies.copy(numbers);
    numbers[0] = 9;
    assert.deepEqual([...new Float64Array(copy.buffer, copy.byteOffset, 2)], [1.5, 2.5]);
  });

  it('gives a released buffer out again for a copy of the same size, with the new bytes', () => {
    const copies = new PageCopies(4);
    const first = copies.copy(new Uint8Array([1, 2, 3]));
    copies.release(first);
    const again = copies.copy(new Uint8Array([7, 8, 9]));
    assert.equal(again, first, 'the same buffer, no new allocation');
    assert.deepEqual([...again], [7, 8, 9]);
    assert.notEqual(copies.copy(new Uint8Array([4, 5, 6])), first, 'taken: a second copy gets its own');
  });

  it('keeps at most `keep` free buffers of a size, and ignores a null release', () => {
    const copies = new PageCopies(2);
    const taken = [1, 2, 3].map((n) => copies.copy(new Uint8Array([n])));
    for (const copy of taken) copies.release(copy);
    copies.release(null);
    assert.equal(copies.held, 2);
  });
});
