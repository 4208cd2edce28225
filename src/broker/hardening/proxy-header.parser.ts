import { isIPv4, isIPv6 } from 'node:net';

/** The client a load balancer forwarded, as its PROXY header names it. */
export interface ProxiedPeer {
  address: string;
  port: number;
}

/** Why a PROXY header was refused; bounded, so it can be logged as is. */
export type ProxyHeaderProblem =
  'signature' | 'version' | 'command' | 'family' | 'too_long' | 'address' | 'port' | 'syntax';

export type ProxyHeaderResult =
  /** The bytes so far are the start of a valid header: wait for more. */
  | { kind: 'incomplete' }
  | { kind: 'invalid'; problem: ProxyHeaderProblem }
  /** A connection the proxy made on its own (v2 LOCAL, v1 UNKNOWN: health checks): no client. */
  | { kind: 'local'; headerBytes: number }
  | { kind: 'proxied'; headerBytes: number; peer: ProxiedPeer };

/** The 12 bytes a v2 header opens with (spec §2.2): not valid text, HTTP or MQTT. */
export const PROXY_V2_SIGNATURE = Buffer.from([
  0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a,
]);
const PROXY_V1_PREFIX = Buffer.from('PROXY ', 'latin1');
/** v1 headers are at most 107 bytes, CRLF included (spec §2.1). */
export const PROXY_V1_MAX_BYTES = 107;
/**
 * Longest v2 address block and TLVs accepted, bytes. The spec allows 65,535; HAProxy sends 12
 * (IPv4) or 36 (IPv6) plus TLVs it was asked for. The bound keeps the bytes held per connection
 * before its header completes small.
 */
export const PROXY_V2_MAX_PAYLOAD_BYTES = 512;
const V2_FIXED_BYTES = 16;

/**
 * Reads a PROXY protocol header (HAProxy's PROXY protocol, versions 1 and 2) from the first bytes
 * of a connection. Pure: the caller keeps the bytes received so far and calls again with more
 * while the result is `incomplete`; the header's length is bounded, so that never grows far.
 * TLVs after a v2 address block are skipped unread (their CRC is not checked: the header only
 * comes from a trusted load balancer).
 */
export function parseProxyHeader(bytes: Buffer): ProxyHeaderResult {
  if (bytes.length === 0) return { kind: 'incomplete' };
  if (bytes[0] === PROXY_V2_SIGNATURE[0]) return parseV2(bytes);
  if (bytes[0] === PROXY_V1_PREFIX[0]) return parseV1(bytes);
  return { kind: 'invalid', problem: 'signature' };
}

/** Whether `bytes` begins as a PROXY header of either version (all of it, or as far as it goes). */
function startsWith(bytes: Buffer, prefix: Buffer): boolean {
  const n = Math.min(bytes.length, prefix.length);
  return bytes.subarray(0, n).equals(prefix.subarray(0, n));
}

/** Spec §2.2: signature, version and command, family and transport, length, addresses. */
function parseV2(bytes: Buffer): ProxyHeaderResult {
  if (!startsWith(bytes, PROXY_V2_SIGNATURE)) return { kind: 'invalid', problem: 'signature' };
  if (bytes.length < V2_FIXED_BYTES) return { kind: 'incomplete' };
  const versionCommand = bytes[12];
  // The high nibble is the version, which must be 2.
  if (versionCommand >> 4 !== 2) return { kind: 'invalid', problem: 'version' };
  const command = versionCommand & 0x0f;
  // 0 LOCAL, 1 PROXY; "the receiver must drop connections presenting unexpected values here".
  if (command > 1) return { kind: 'invalid', problem: 'command' };
  const payloadBytes = bytes.readUInt16BE(14);
  if (payloadBytes > PROXY_V2_MAX_PAYLOAD_BYTES) return { kind: 'invalid', problem: 'too_long' };
  const headerBytes = V2_FIXED_BYTES + payloadBytes;
  if (bytes.length < headerBytes) return { kind: 'incomplete' };
  // LOCAL: "the receiver must accept this connection as valid and must use the real connection
  // endpoints and discard the protocol block including the family".
  if (command === 0) return { kind: 'local', headerBytes };
  const familyTransport = bytes[13];
  // A client the edge can ban is a TCP client over IPv4 (0x11) or IPv6 (0x21); UNIX sockets,
  // UDP and UNSPEC name none.
  if (familyTransport === 0x11) {
    if (payloadBytes < 12) return { kind: 'invalid', problem: 'address' };
    const address = `${bytes[16]}.${bytes[17]}.${bytes[18]}.${bytes[19]}`;
    return { kind: 'proxied', headerBytes, peer: { address, port: bytes.readUInt16BE(24) } };
  }
  if (familyTransport === 0x21) {
    if (payloadBytes < 36) return { kind: 'invalid', problem: 'address' };
    return {
      kind: 'proxied',
      headerBytes,
      peer: { address: ipv6Text(bytes.subarray(16, 32)), port: bytes.readUInt16BE(48) },
    };
  }
  return { kind: 'invalid', problem: 'family' };
}

/** The compressed text form Node uses for socket addresses (`2001:db8::1`, `::ffff:10.0.0.1`). */
function ipv6Text(raw: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(raw.readUInt16BE(i).toString(16));
  // Longest run of two or more zero groups becomes "::" (RFC 5952 §4.2).
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  if (bestStart < 0) return groups.join(':');
  const head = groups.slice(0, bestStart).join(':');
  const tail = groups.slice(bestStart + bestLength);
  // IPv4-mapped addresses keep their dotted tail, as Node reports them (RFC 5952 §5).
  if (bestStart === 0 && bestLength === 5 && tail[0] === 'ffff')
    return `::ffff:${raw.subarray(12).join('.')}`;
  return `${head}::${tail.join(':')}`;
}

/** Spec §2.1: `PROXY TCP4|TCP6 <source> <destination> <source port> <destination port>\r\n`. */
function parseV1(bytes: Buffer): ProxyHeaderResult {
  if (!startsWith(bytes, PROXY_V1_PREFIX)) return { kind: 'invalid', problem: 'signature' };
  const end = bytes.subarray(0, PROXY_V1_MAX_BYTES).indexOf('\r\n', 0, 'latin1');
  if (end < 0) {
    return bytes.length >= PROXY_V1_MAX_BYTES
      ? { kind: 'invalid', problem: 'too_long' }
      : { kind: 'incomplete' };
  }
  const headerBytes = end + 2;
  const fields = bytes.toString('latin1', PROXY_V1_PREFIX.length, end).split(' ');
  // "UNKNOWN": the proxy does not know the client (or checks itself); anything may follow.
  if (fields[0] === 'UNKNOWN') return { kind: 'local', headerBytes };
  if (fields[0] !== 'TCP4' && fields[0] !== 'TCP6') return { kind: 'invalid', problem: 'family' };
  // Exactly one space between fields: an empty field is a doubled or trailing space.
  if (fields.length !== 5 || fields.includes('')) return { kind: 'invalid', problem: 'syntax' };
  const [family, source, destination, sourcePort, destinationPort] = fields;
  const isAddress = family === 'TCP4' ? isIPv4 : isIPv6;
  if (!isAddress(source) || !isAddress(destination)) return { kind: 'invalid', problem: 'address' };
  const port = portNumber(sourcePort);
  if (port === undefined || portNumber(destinationPort) === undefined)
    return { kind: 'invalid', problem: 'port' };
  return { kind: 'proxied', headerBytes, peer: { address: source, port } };
}

/** A decimal port 0-65535 without sign or leading zeros, as the spec writes them. */
function portNumber(text: string): number | undefined {
  if (!/^(0|[1-9]\d{0,4})$/.test(text)) return undefined;
  const port = Number(text);
  return port <= 65535 ? port : undefined;
}
