import { readFileSync } from 'node:fs';

/** Descriptors a convoi process holds besides its MQTT sockets: databases, HTTP, workers, logs. */
export const RESERVED_FILES = 256;

/** The soft limit on open files of this process (Linux; Node has no getrlimit), if it has one. */
export function processOpenFilesLimit(): number | undefined {
  try {
    return parseOpenFilesLimit(readFileSync('/proc/self/limits', 'utf8'));
  } catch {
    return undefined;
  }
}

/** The soft limit on open files in the text of `/proc/<pid>/limits`; undefined for "unlimited". */
export function parseOpenFilesLimit(limits: string): number | undefined {
  const line = limits.split('\n').find((l) => l.startsWith('Max open files'));
  const soft = Number(line?.slice('Max open files'.length).trim().split(/\s+/)[0]);
  return Number.isSafeInteger(soft) && soft > 0 ? soft : undefined;
}

/**
 * Why BROKER_MAX_CONNECTIONS cannot be reached here, or undefined when it can. Every MQTT client
 * is a socket, so past the open-files limit the broker cannot accept: devices are cut at once and
 * retry forever, with nothing in the broker's own limits to say why.
 */
export function openFilesShortfall(maxConnections: number, limit: number | undefined): string | undefined {
  if (limit === undefined || limit >= maxConnections + RESERVED_FILES) return undefined;
  return (
    `this process may open ${limit} files, so the broker holds at most ~${Math.max(0, limit - RESERVED_FILES)} ` +
    `MQTT connections, not BROKER_MAX_CONNECTIONS=${maxConnections}: raise the limit ` +
    `(ulimit -n, systemd LimitNOFILE, compose ulimits.nofile) or lower BROKER_MAX_CONNECTIONS`
  );
}
