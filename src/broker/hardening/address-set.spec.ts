import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AddressSet } from './address-set.js';

void describe(AddressSet.name, () => {
  void it('holds addresses and CIDR blocks of both families', () => {
    const set = new AddressSet(['10.20.0.0/16', '192.0.2.7', '2001:db8::/32']);
    assert.equal(set.has('10.20.255.1'), true);
    assert.equal(set.has('10.21.0.1'), false);
    assert.equal(set.has('192.0.2.7'), true);
    assert.equal(set.has('192.0.2.8'), false);
    assert.equal(set.has('2001:db8::42'), true);
    assert.equal(set.has('2001:db9::42'), false);
  });

  void it('matches the IPv4-mapped form a dual-stack listener reports for an IPv4 client', () => {
    const set = new AddressSet(['127.0.0.1']);
    assert.equal(set.has('::ffff:127.0.0.1'), true);
    assert.equal(set.has('::ffff:127.0.0.2'), false);
  });

  void it('holds nothing when empty, and never an address that is not one', () => {
    assert.equal(new AddressSet([]).has('127.0.0.1'), false);
    assert.equal(new AddressSet(['0.0.0.0/0']).has('unknown'), false);
    assert.equal(new AddressSet(['0.0.0.0/0']).has(''), false);
  });
});
