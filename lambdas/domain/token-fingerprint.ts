import { createHmac } from 'node:crypto';

/**
 * A keyed hash of the Tech Provider's token. It lets a repeated POST of the same token find its
 * onboarding without the token ever being stored; without the key it cannot be tested against guesses.
 */
export function tokenFingerprint(accessToken: string, key: string): string {
  return createHmac('sha256', key).update(accessToken, 'utf8').digest('base64url');
}
