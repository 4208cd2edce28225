import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  chirpstackUplinkTopic,
  containerAlertsTopic,
  deviceTelemetryTopic,
  parseTopic,
  ttsUplinkTopic,
} from './topics.js';

describe('parseTopic', () => {
  it('round-trips every topic the helpers build', () => {
    assert.deepEqual(parseTopic(deviceTelemetryTopic('dev-1')), {
      kind: 'deviceTelemetry',
      deviceId: 'dev-1',
    });
    assert.deepEqual(parseTopic(containerAlertsTopic('RC-1')), {
      kind: 'containerAlerts',
      containerId: 'RC-1',
    });
    assert.deepEqual(parseTopic(chirpstackUplinkTopic('app-1', '70b3d57ed0000101')), {
      kind: 'chirpstackUplink',
      applicationId: 'app-1',
      devEui: '70b3d57ed0000101',
    });
    assert.deepEqual(parseTopic(ttsUplinkTopic('cold-chain', 'ttn', 'eui-70b3')), {
      kind: 'ttsUplink',
      applicationId: 'cold-chain',
      tenantId: 'ttn',
      deviceId: 'eui-70b3',
    });
  });

  for (const topic of [
    'v1/devices//telemetry',
    'v1/devices/dev-1/telemetryX',
    'v1/devices/dev-1/telemetry/',
    '/v1/devices/dev-1/telemetry',
    'v1/devices/+/telemetry',
    'v1/devices/#',
    'v1/devices/de\u0000v/telemetry',
    'v1/devices/С1/telemetry', // Cyrillic С
    'v1/devices/../telemetry',
    'v1/devices/%2e%2e/telemetry',
    'Containers/C1/alerts',
    'v3/app/devices/d/up',
    'v3/a@b@c/devices/d/up',
    'application/1/device/abc/event/join',
  ]) {
    it(`refuses ${JSON.stringify(topic)}`, () => assert.equal(parseTopic(topic), undefined));
  }
});
