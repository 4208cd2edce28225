import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signature header: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<delivery id>.<body>">`.
 * Signing the timestamp lets receivers refuse replays older than a few minutes; signing the
 * delivery id (header `X-Convoi-Delivery`, the same on every retry) lets them drop a delivery
 * they already processed without trusting an unsigned header.
 */
export function signWebhook(secret: string, deliveryId: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${deliveryId}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/** Receiver side, for tests and for users' reference: constant-time check of the header. */
export function verifyWebhook(secret: string, deliveryId: string, body: string, header: string): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!match) return false;
  const expected = Buffer.from(signWebhook(secret, deliveryId, body, Number(match[1])));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
