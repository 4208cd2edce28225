import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Principal } from './principal.js';
import { canPublish, canReceive, canSubscribe, isValidTopicRoot } from './topic-acl.js';

const device: Principal = { kind: 'device', name: 'dev-1' };
const chirpstack: Principal = { kind: 'chirpstack', name: 'cs', topicRoot: 'application' };
const tts: Principal = { kind: 'tts', name: 'tts', topicRoot: 'v3' };
const operator: Principal = { kind: 'operator', name: 'ops' };
const platform: Principal = { kind: 'platform', name: 'convoi-platform' };

void describe('topic-acl', () => {
  void it('lets a device publish only its own telemetry and status', () => {
    assert.equal(canPublish(device, 'v1/devices/dev-1/telemetry'), true);
    assert.equal(canPublish(device, 'v1/devices/dev-1/status'), true);
    for (const topic of [
      'v1/devices/dev-2/telemetry',
      'v1/devices/dev-1/telemetryX',
      'v1/devices/dev-1/telemetry/',
      'v1/devices/../telemetry',
      'v1/containers/c1/alerts',
      '$SYS/x',
      'application/1/device/aa/event/up',
    ]) {
      assert.equal(canPublish(device, topic), false, topic);
    }
  });

  void it('grants devices no subscription and forwards them nothing', () => {
    for (const filter of ['#', '$SYS/#', 'v1/devices/dev-1/telemetry', 'v1/containers/+/alerts']) {
      assert.equal(canSubscribe(device, filter), false, filter);
    }
    assert.equal(canReceive(device, 'v1/devices/dev-1/telemetry'), false);
  });

  void it('confines integrations to their tree, without wildcard filters', () => {
    assert.equal(canPublish(chirpstack, 'application/1/device/aa/event/up'), true);
    assert.equal(canPublish(chirpstack, 'application'), false);
    assert.equal(canPublish(chirpstack, 'applicationX/1'), false);
    assert.equal(canPublish(chirpstack, 'v3/a@t/devices/d/up'), false);
    assert.equal(canPublish(tts, 'v3/a@t/devices/d/up'), true);
    assert.equal(canSubscribe(chirpstack, 'application/1/device/aa/command/down'), true);
    assert.equal(canSubscribe(chirpstack, 'application/#'), false);
    assert.equal(canReceive(chirpstack, 'v1/containers/c1/alerts'), false);
  });

  void it('lets operators read everything and publish nothing; the platform publishes only alerts', () => {
    assert.equal(canSubscribe(operator, '$SYS/#'), true);
    assert.equal(canSubscribe(operator, 'v1/containers/+/alerts'), true);
    assert.equal(canPublish(operator, 'v1/containers/c1/alerts'), false);
    assert.equal(canPublish(platform, 'v1/containers/c1/alerts'), true);
    assert.equal(canPublish(platform, 'v1/devices/dev-1/telemetry'), false);
    assert.equal(canPublish(platform, '$SYS/broker/x'), false);
  });

  void it('lets anonymous clients publish to $-topics other than $SYS', () => {
    const anonymous: Principal = { kind: 'anonymous', name: 'anonymous' };
    assert.equal(canPublish(anonymous, '$TopicA/B'), true);
    assert.equal(canPublish(anonymous, '$SYS/broker/x'), false);
    assert.equal(canPublish(anonymous, '$SYS'), false);
    assert.equal(canPublish(device, '$TopicA/B'), false);
  });

  void it('accepts topic roots inside the default tree only', () => {
    assert.equal(isValidTopicRoot('application/42', 'application'), true);
    assert.equal(isValidTopicRoot('application', 'application'), true);
    assert.equal(isValidTopicRoot('v1', 'application'), false);
    assert.equal(isValidTopicRoot('application/+', 'application'), false);
    assert.equal(isValidTopicRoot('application/', 'application'), false);
  });
});
