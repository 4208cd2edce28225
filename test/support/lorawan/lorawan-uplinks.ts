import { randomUUID } from 'node:crypto';
import type { LppValue } from '#src/ingestion/codecs/cayenne-lpp.types.js';
import { encodeCayenneLpp } from '#src/ingestion/codecs/cayenne-lpp.codec.js';
import {
  loadLorawanFixture,
  toPayload,
  withFields,
  type Json,
} from '#src/ingestion/lorawan/lorawan.testing.js';
import { chirpstackUplinkTopic, ttsUplinkTopic } from '#src/contracts/topics.js';
import type { TestApp } from '#test/support/test-app.js';

/**
 * Uplinks of the example fleet's two LoRa devices (config/fleet.example.json), built from the
 * network servers' docs samples with our own Cayenne LPP bytes swapped in.
 */
export const CHIRPSTACK = {
  deviceId: 'lora-rc-000101',
  devEui: '70b3d57ed0000101',
  containerId: 'RC-000101',
  applicationId: '17c82e96-be03-4f38-aef3-f83d48582d97',
} as const;

export const TTS = {
  deviceId: 'lora-rc-000102',
  devEui: '70b3d57ed0000102',
  containerId: 'RC-000102',
  applicationId: 'convoi-fleet',
  tenantId: 'ttn',
} as const;

export const CHIRPSTACK_TOPIC = chirpstackUplinkTopic(CHIRPSTACK.applicationId, CHIRPSTACK.devEui);
export const TTS_TOPIC = ttsUplinkTopic(TTS.applicationId, TTS.tenantId, TTS.deviceId);

export interface UplinkSpec {
  fCnt: number;
  /** Network server's reception time, epoch ms. */
  at: number;
  values: readonly LppValue[];
  fPort?: number;
}

/** A ChirpStack v4 uplink event; a fresh deduplicationId unless one is given. */
export function chirpstackUplink(spec: UplinkSpec & { deduplicationId?: string }): Json {
  return withFields(
    loadLorawanFixture('chirpstack-v4-event-up.docs.json'),
    {
      deduplicationId: spec.deduplicationId ?? randomUUID(),
      time: new Date(spec.at).toISOString(),
      'deviceInfo.devEui': CHIRPSTACK.devEui,
      'deviceInfo.applicationId': CHIRPSTACK.applicationId,
      fCnt: spec.fCnt,
      fPort: spec.fPort ?? 1,
      data: encodeCayenneLpp(spec.values).toString('base64'),
    },
    true,
  );
}

/** A TTS v3 uplink (data-formats sample): `decoded_payload` null, so our bytes are decoded. */
export function ttsUplink(
  spec: UplinkSpec & { gateways?: { id: string; rssi: number; snr: number }[]; sessionKeyId?: string },
): Json {
  const fixture = loadLorawanFixture('tts-v3-uplink.data-formats.fixed.json');
  const rx = (fixture.uplink_message as Json).rx_metadata as Json[];
  const gateways = spec.gateways ?? [{ id: 'gtw1', rssi: -35, snr: 5 }];
  const at = new Date(spec.at).toISOString();
  return withFields(
    fixture,
    {
      received_at: at,
      'end_device_ids.device_id': TTS.deviceId,
      'end_device_ids.dev_eui': TTS.devEui.toUpperCase(),
      'end_device_ids.application_ids.application_id': TTS.applicationId,
      'uplink_message.f_cnt': spec.fCnt,
      'uplink_message.session_key_id': spec.sessionKeyId ?? 'AXA50tHUGUucuzS/bCGMNw==',
      'uplink_message.f_port': spec.fPort ?? 1,
      'uplink_message.received_at': at,
      'uplink_message.frm_payload': encodeCayenneLpp(spec.values).toString('base64'),
      'uplink_message.decoded_payload': null,
      'uplink_message.rx_metadata': gateways.map((g) => ({
        ...rx[0],
        gateway_ids: { gateway_id: g.id },
        rssi: g.rssi,
        channel_rssi: g.rssi,
        snr: g.snr,
        time: at,
      })),
    },
    true,
  );
}

export function temperatureFrame(temperatureC: number): LppValue[] {
  return [{ channel: 1, type: 'temperature', value: temperatureC }];
}

export { toPayload };

/** Value of one Prometheus sample (0 when absent), e.g. `convoi_ingest_duplicates_total{source="tts"}`. */
export async function metricValue(app: TestApp, sample: string): Promise<number> {
  const { body } = await app.request('/metrics');
  const line = (body as string).split('\n').find((l) => l.startsWith(`${sample} `));
  return line === undefined ? 0 : Number(line.slice(sample.length + 1));
}
