import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '#src/common/clock.js';
import { IpAbuseTracker, type IpAbuseLimits } from './ip-abuse.tracker.js';

const limits = (overrides: Partial<IpAbuseLimits> = {}): IpAbuseLimits => ({
  connectionsPerIpPerMin: 1000,
  authFailuresPerIpPerMin: 3,
  banDurationMs: 60_000,
  banExemptAddresses: [],
  ...overrides,
});

void describe(IpAbuseTracker.name, () => {
  void it('bans after the configured number of failed logins, for the configured time', () => {
    const clock = new ManualClock();
    const tracker = new IpAbuseTracker(limits(), clock);
    for (let i = 0; i < 3; i++) assert.equal(tracker.noteAuthFailure('198.51.100.1'), true);
    assert.equal(tracker.noteAuthFailure('198.51.100.1'), false);
    assert.equal(tracker.isBanned('198.51.100.1'), true);
    clock.advance(59_999);
    assert.equal(tracker.isBanned('198.51.100.1'), true);
    clock.advance(1);
    assert.equal(tracker.isBanned('198.51.100.1'), false);
  });

  void it('never bans for failed logins when the threshold is 0', () => {
    const tracker = new IpAbuseTracker(limits({ authFailuresPerIpPerMin: 0 }), new ManualClock());
    for (let i = 0; i < 500; i++) assert.equal(tracker.noteAuthFailure('198.51.100.1'), true);
    assert.equal(tracker.isBanned('198.51.100.1'), false);
  });

  void it('exempts listed addresses and CIDR blocks, IPv4-mapped IPv6 included', () => {
    const tracker = new IpAbuseTracker(
      limits({ banExemptAddresses: ['10.20.0.0/16', '192.0.2.7', '2001:db8::/32'] }),
      new ManualClock(),
    );
    for (const address of ['10.20.3.4', '::ffff:10.20.9.9', '192.0.2.7', '2001:db8::1']) {
      for (let i = 0; i < 10; i++) tracker.noteAuthFailure(address);
      assert.equal(tracker.isBanned(address), false, address);
    }
    for (const address of ['10.21.0.1', '192.0.2.8', '2001:db9::1']) {
      for (let i = 0; i < 10; i++) tracker.noteAuthFailure(address);
      assert.equal(tracker.isBanned(address), true, address);
    }
  });
});
