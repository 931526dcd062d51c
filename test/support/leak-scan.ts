import { randomInt } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Finding secrets where they must not be: every 8-character run of each secret is looked for, so a
 * token cut short, wrapped, quoted or masked at one end is found too. A hit names the secret by its
 * label and the run by its index in the secret, never by its text: the report is itself a log.
 */

export const WINDOW = 8;

export interface Secret {
  /** What the report calls it (never the value). */
  label: string;
  value: string;
}

/** One place the system wrote to: `where` says where in its source, in words that hold none of its text. */
export interface Evidence {
  where: string;
  text: string;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * A secret of our own making: a short marker (fewer than 8 characters, so every window holds random
 * ones) and 32 random base62 characters (190 bits): no window of it occurs in ordinary text by chance.
 */
export function markedSecret(marker: string): string {
  if (marker.length >= WINDOW) throw new Error(`marker ${marker} would make a window with nothing random in it`);
  return marker + Array.from({ length: 32 }, () => BASE62[randomInt(BASE62.length)]).join('');
}

export class LeakMatcher {
  private readonly windows = new Map<string, { label: string; window: number }>();

  constructor(secrets: readonly Secret[]) {
    for (const { label, value } of secrets) {
      if (value.length < WINDOW) throw new Error(`${label} is shorter than ${WINDOW} characters: it cannot be scanned for`);
      for (let i = 0; i + WINDOW <= value.length; i++) {
        const window = value.slice(i, i + WINDOW);
        // Tokens with a common prefix (the simulator's `EAAsim`) may share a first window: it names them all.
        const shared = this.windows.get(window);
        this.windows.set(window, shared && shared.label !== label ? { ...shared, label: `${shared.label} or ${label}` } : { label, window: i });
      }
    }
  }

  /**
   * Each run of consecutive windows of one secret found in `text`, as `@offset: label window #i`
   * (`#i..#j` for a longer run: a whole token is one finding, not one per window).
   */
  findings(text: string): string[] {
    const found: string[] = [];
    let run: { offset: number; label: string; first: number; last: number } | undefined;
    const report = () => run && found.push(`@${run.offset}: ${run.label} window #${run.first}${run.last > run.first ? `..#${run.last}` : ''}`);
    for (let offset = 0; offset + WINDOW <= text.length; offset++) {
      const hit = this.windows.get(text.slice(offset, offset + WINDOW));
      // The next window of the same secret, one character on: the same run.
      if (hit && run && hit.label === run.label && hit.window === run.last + 1 && offset - run.offset === hit.window - run.first) {
        run.last = hit.window;
        continue;
      }
      report();
      run = hit && { offset, label: hit.label, first: hit.window, last: hit.window };
    }
    report();
    return found;
  }

  /** Every finding in a source's evidence, each prefixed with where it is. */
  scan(evidence: readonly Evidence[]): string[] {
    return evidence.flatMap(({ where, text }) => this.findings(text).map((finding) => `${where} ${finding}`));
  }
}

/** Every file under `dir`, read byte for byte (latin1: a token written as UTF-8 reads the same, binary files do not fail). */
export function filesUnder(dir: string): Evidence[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const path = join(entry.parentPath, entry.name);
      return { where: relative(dir, path), text: readFileSync(path, 'latin1') };
    });
}
