import { randomInt } from 'node:crypto';

/** A made-up numeric Graph ID of 16 digits, as Meta's IDs are. */
export function numericId(): string {
  return `${randomInt(100_000, 1_000_000)}${randomInt(1e9, 1e10)}`;
}
