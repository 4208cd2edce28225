import assert from 'node:assert/strict';

/**
 * An excursion of REEFER-002 on a chilled-4 shipment in transit, as the restart and crash tests
 * play it: +3 °C for minutes 0–4, then +6 °C, above chilled-4's +4 °C.
 */
export const CHILLED_EXCURSION = {
  device: 'sensor-reefer-002',
  container: 'REEFER-002',
  env: {
    TELEMETRY_FLUSH_MS: '20',
    // Readings are dated in the past (one a minute): the offline rule would judge them late.
    RULES_TICK_MS: '600000',
  } as Record<string, string>,
  excursionFrom: 5,
  /** chilled-4 tolerates 15 min above its maximum: the alert is due at the reading of minute 20. */
  alertAt: 5 + 15,
  /** The temperature of minute `m`. */
  temperatureAt: (m: number): number => (m < 5 ? 3 : 6),
};

/** REST under `/api/v1`: the test app's or a child process's. */
export type ApiRequest = (path: string, init?: RequestInit) => Promise<{ status: number; body: any }>;

/** Where a chilled shipment goes: the example fleet's excursion container by default. */
export interface ShipmentRoute {
  containerId: string;
  originSiteId: string;
  destinationSiteId: string;
}

/** A chilled-4 shipment of the excursion's container, in transit from `t0` (the seed binds the device from before). */
export async function startChilledShipment(
  request: ApiRequest,
  t0: number,
  route: ShipmentRoute = {
    containerId: CHILLED_EXCURSION.container,
    originSiteId: 'DC-PARIS-RUNGIS',
    destinationSiteId: 'HM-LILLE-V2',
  },
): Promise<void> {
  const created = await request('/shipments', {
    method: 'POST',
    body: JSON.stringify({
      ...route,
      profileId: 'chilled-4',
      plannedDeparture: new Date(t0).toISOString(),
      plannedArrival: new Date(t0 + 6 * 3_600_000).toISOString(),
    }),
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const moved = await request(`/shipments/${created.body.id}/status`, {
    method: 'POST',
    body: JSON.stringify({ status: 'in_transit', at: new Date(t0).toISOString() }),
  });
  assert.equal(moved.status, 200, JSON.stringify(moved.body));
}
