import type { AlertEvent } from '#src/contracts/alert-event.js';
import type { NativeReadingPayload, Reading } from '#src/contracts/reading.js';
import { deviceTelemetryTopic } from '#src/contracts/topics.js';

/**
 * A few hours of a small fleet (devices of config/fleet.example.json), shaped so that every
 * dashboard panel has something to show: an online reefer in excursion with a handling shock,
 * an online reefer within its band, a frozen pallet gone silent an hour ago, and a LoRaWAN roll
 * cage with radio quality, lost frames and a shipment id.
 */
export interface ColdChainTrip {
  /** Native JSON messages for the MQTT pipeline. */
  native: { topic: string; payload: string; containerId: string }[];
  /** Readings per container the pipeline must have stored. */
  nativeCounts: Record<string, number>;
  /** LoRaWAN readings (radio quality, fCnt, shipment): not yet ingestible over MQTT, see the test. */
  lora: Reading[];
  alerts: AlertEvent[];
  /** The container in excursion, with a shock and alerts. */
  excursionContainer: string;
}

const MINUTE = 60_000;
const LYON = { lat: 45.6418, lon: 5.1135 };
const PARIS = { lat: 48.7557, lon: 2.3522 };

function along(t: number, from: { lat: number; lon: number }, to: { lat: number; lon: number }) {
  return { lat: from.lat + (to.lat - from.lat) * t, lon: from.lon + (to.lon - from.lon) * t };
}

function nativeSeries(
  deviceId: string,
  containerId: string,
  startMs: number,
  endMs: number,
  everyMs: number,
  sample: (i: number, t: number) => Omit<NativeReadingPayload, 'ts' | 'seq'>,
): ColdChainTrip['native'] {
  const out: ColdChainTrip['native'] = [];
  const n = Math.floor((endMs - startMs) / everyMs) + 1;
  for (let i = 0; i < n; i++) {
    const ts = startMs + i * everyMs;
    const payload: NativeReadingPayload = { ts, seq: i, ...sample(i, i / Math.max(n - 1, 1)) };
    out.push({ topic: deviceTelemetryTopic(deviceId), payload: JSON.stringify(payload), containerId });
  }
  return out;
}

export function buildColdChainTrip(nowMs: number): ColdChainTrip {
  const end = Math.floor(nowMs / MINUTE) * MINUTE - MINUTE;
  const start = end - 3 * 60 * MINUTE;
  const excursionFrom = end - 40 * MINUTE;
  const shockAt = end - 90 * MINUTE;

  const reefer1 = nativeSeries('sensor-reefer-001', 'REEFER-001', start, end, 2 * MINUTE, (i, t) => {
    const ts = start + i * 2 * MINUTE;
    const warming =
      ts >= excursionFrom ? 4 + ((ts - excursionFrom) / (40 * MINUTE)) * 5.5 : 3 + (i % 3) * 0.2;
    return {
      temperature: Math.round(warming * 10) / 10,
      humidity: 84 + (i % 4),
      shock: ts === shockAt ? 12.4 : 0.3,
      ...along(t, LYON, PARIS),
      battery: 90 - Math.floor(t * 3),
    };
  });
  const reefer2 = nativeSeries('sensor-reefer-002', 'REEFER-002', start, end, 2 * MINUTE, (i, t) => ({
    temperature: 2.2 + (i % 5) * 0.1,
    humidity: 80,
    shock: 0.2,
    ...along(t, PARIS, { lat: 48.5819, lon: 2.6011 }),
    battery: 76,
  }));
  const pallet = nativeSeries('sensor-pal-7001', 'PAL-7001', start, end - 60 * MINUTE, 5 * MINUTE, () => ({
    temperature: -20.5,
    battery: 55,
    lat: PARIS.lat,
    lon: PARIS.lon,
  }));
  const native = [...reefer1, ...reefer2, ...pallet];
  const nativeCounts: Record<string, number> = {};
  for (const m of native) nativeCounts[m.containerId] = (nativeCounts[m.containerId] ?? 0) + 1;

  const lora: Reading[] = [];
  for (let i = 0, fCnt = 100; i < 36; i++, fCnt += i % 7 === 0 ? 3 : 1) {
    const measuredAt = start + i * 5 * MINUTE;
    lora.push({
      deviceId: 'lora-rc-000101',
      containerId: 'RC-000101',
      shipmentId: 'SHP-2026-0042',
      measuredAt,
      receivedAt: measuredAt + 1800,
      source: 'chirpstack',
      dedupeKey: `70b3d57ed0000101:${fCnt}:1`,
      temperatureC: 3.1 + (i % 4) * 0.3,
      humidityPct: 88,
      shockG: i === 20 ? 6.1 : 0.4,
      ...along(i / 35, LYON, { lat: 45.76, lon: 4.84 }),
      batteryPct: 97,
      quality: {
        fCnt,
        fPort: 1,
        gateways: 1 + (i % 3),
        rssi: -95 - (i % 10),
        snr: 7.5 - (i % 5),
        lagMs: 1800,
        late: false,
      },
    });
  }

  const alert = (over: Partial<AlertEvent> & Pick<AlertEvent, 'alertId' | 'change' | 'at'>): AlertEvent => ({
    containerId: 'REEFER-001',
    rule: 'temperature-high',
    severity: 'warning',
    status: 'active',
    acknowledged: false,
    message: 'Temperature above +4 °C for 15 min',
    ...over,
  });
  const alerts: AlertEvent[] = [
    alert({
      alertId: 'alr-shock-1',
      change: 'opened',
      at: shockAt,
      rule: 'shock',
      severity: 'critical',
      value: 12.4,
      message: 'Shock 12.4 g over 8 g',
    }),
    alert({
      alertId: 'alr-shock-1',
      change: 'cleared',
      at: shockAt + 10 * MINUTE,
      rule: 'shock',
      severity: 'critical',
      status: 'cleared',
      value: 12.4,
      message: 'Shock acknowledged by the driver',
    }),
    alert({ alertId: 'alr-temp-1', change: 'opened', at: excursionFrom + 15 * MINUTE, value: 6.1 }),
    alert({
      alertId: 'alr-temp-1',
      change: 'escalated',
      at: excursionFrom + 30 * MINUTE,
      severity: 'critical',
      value: 8.1,
      peakValue: 8.1,
      message: 'Temperature above +8 °C',
    }),
    alert({
      alertId: 'alr-off-1',
      change: 'opened',
      at: end - 45 * MINUTE,
      containerId: 'PAL-7001',
      rule: 'offline',
      message: 'No reading for 15 min',
    }),
  ];
  return { native, nativeCounts, lora, alerts, excursionContainer: 'REEFER-001' };
}
