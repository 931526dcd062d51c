import { setTimeout as sleep } from 'node:timers/promises';

/** Thrown by a probe when waiting longer cannot help (the process died). */
export class StartupFailed extends Error {
  override readonly name = 'StartupFailed';
}

/**
 * Polls `probe` until it resolves, or fails with its last error after `timeoutMs`; a probe that
 * never answers (something else took the port, and accepts but says nothing) fails at the deadline too.
 */
export async function waitFor(what: string, probe: () => Promise<unknown>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      await withinDeadline(probe(), deadline);
      return;
    } catch (error) {
      lastError = error;
      if (error instanceof StartupFailed) throw error;
      await sleep(100);
    }
  }
  throw new Error(`${what} did not become ready within ${timeoutMs} ms: ${String(lastError)}`);
}

async function withinDeadline<T>(work: Promise<T>, deadline: number): Promise<T> {
  const timer = new AbortController();
  const expiry = sleep(Math.max(0, deadline - Date.now()), undefined, { signal: timer.signal }).then(() => {
    throw new Error('no answer');
  });
  try {
    return await Promise.race([work, expiry]);
  } finally {
    timer.abort();
    expiry.catch(() => undefined);
  }
}
