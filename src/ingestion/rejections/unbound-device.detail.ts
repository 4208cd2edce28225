import type { Binding } from '#src/fleet/device-directory.service.js';

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The detail of an `unbound-device` refusal: why no binding covers the reading, and the call that
 * fixes it for the readings the device sends next (readings already refused are not replayed).
 * The usual cause is a device bound without `at`, so from the moment of the call, that then
 * uploads readings it buffered before; its newest binding may be moved earlier
 * (src/fleet/binding-history.policy.ts). Kept under the rejection log's 500 characters.
 *
 * @param history the device's bindings, oldest first
 */
export function unboundDeviceDetail(
  deviceId: string,
  measuredAt: number,
  history: readonly Binding[],
): string {
  const at = iso(measuredAt);
  const bind = (containerId: string) =>
    `POST /api/v1/devices/${deviceId}/bind {"containerId":"${containerId}","at":"${at}"}`;
  const newest = history.at(-1);
  if (newest === undefined)
    return `device ${deviceId} is on no container: bind it, from no later than ${at}: ${bind('<container id>')}`;
  const next = history.find((b) => b.boundAt > measuredAt);
  if (next === undefined) {
    return (
      `device ${deviceId} is on no container at ${at}: it was unbound from ${newest.containerId} at ` +
      `${iso(newest.unboundAt ?? newest.boundAt)}; bind it again, from no later than ${at}: ${bind(newest.containerId)}`
    );
  }
  if (next !== newest) {
    return (
      `device ${deviceId} is on no container at ${at}: that time falls between two of its bindings, and ` +
      `only its newest binding (container ${newest.containerId}) can be moved earlier`
    );
  }
  return (
    `device ${deviceId} had no container at ${at}: its binding to ${next.containerId} starts at ` +
    `${iso(next.boundAt)} (a bind without "at" starts when made). Bind it from then: ${bind(next.containerId)}`
  );
}
