import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * How Meta proves a webhook call is its own (docs/graph-api.md "Webhooks"): the subscription handshake
 * presents our verify token, and every delivery is signed with our app secret.
 */

/** `X-Hub-Signature-256`: `sha256=` and the hex HMAC-SHA256 of the raw body. */
const SIGNATURE = /^sha256=([0-9a-f]{64})$/;

/**
 * Whether `signature` signs exactly these bytes with `appSecret`, compared in constant time. Checked
 * before the body is parsed: an unsigned body is never read.
 */
export function isSignedByMeta(rawBody: Buffer, signature: string | undefined, appSecret: string): boolean {
  const hex = SIGNATURE.exec(signature ?? '')?.[1];
  if (!hex) return false;
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(hex, 'hex'));
}

/** Meta's challenge is a number; anything else is not echoed back. */
const CHALLENGE = /^[0-9A-Za-z_-]{1,128}$/;

/**
 * The subscription handshake: the challenge to echo when `hub.mode` is `subscribe` and
 * `hub.verify_token` is ours (compared in constant time, whatever its length); undefined otherwise.
 */
export function handshakeChallenge(query: Record<string, string | undefined>, verifyToken: string): string | undefined {
  const challenge = query['hub.challenge'];
  if (query['hub.mode'] !== 'subscribe' || !challenge || !CHALLENGE.test(challenge)) return undefined;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(query['hub.verify_token'] ?? ''), digest(verifyToken)) ? challenge : undefined;
}
