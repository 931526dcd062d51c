import { randomBytes } from 'node:crypto';

/** Graph validates solution names; we stay well inside any plausible limit. */
export const SOLUTION_NAME_MAX_LENGTH = 100;
const SUFFIX_ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

/**
 * Renders `SOLUTION_NAME_TEMPLATE` (placeholders `{partner}`, `{appName}`, `{appId}`) and appends a
 * short random suffix, so that both sides can tell two solutions for the same pair apart, and so that
 * a worker that crashed after creating can recognise its own solution by exact name.
 */
export function solutionName(template: string, values: { partner: string; appName: string; appId: string }, suffix = randomSuffix()): string {
  const rendered = template.replace(/\{(partner|appName|appId)\}/g, (_, key: keyof typeof values) => values[key]).trim();
  const tail = ` · ${suffix}`;
  return rendered.slice(0, SOLUTION_NAME_MAX_LENGTH - tail.length).trimEnd() + tail;
}

function randomSuffix(length = 6): string {
  return Array.from(randomBytes(length), (b) => SUFFIX_ALPHABET[b % SUFFIX_ALPHABET.length]).join('');
}
