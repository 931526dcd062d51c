import type { EventSource } from './event-source';

export interface ScheduleOptions {
  intervalSeconds: number;
  /** What EventBridge Scheduler's Lambda target sends when no input is set: the schedule's context. */
  invoke: (event: Record<string, never>) => Promise<unknown>;
  onError: (error: unknown) => void;
}

/**
 * EventBridge Scheduler's fixed-rate schedule, locally: the first invocation one interval after
 * start, then one every interval. A pass still running when the next is due delays it (in AWS the
 * two would overlap; the reconciler's writes are fenced either way).
 */
export function startSchedule(opts: ScheduleOptions): EventSource {
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  let running = true;
  const tick = () => {
    inFlight = opts
      .invoke({})
      .then(
        () => undefined,
        (error: unknown) => {
          if (running) opts.onError(error);
        },
      )
      .finally(() => {
        if (running) timer = setTimeout(tick, opts.intervalSeconds * 1000);
      });
  };
  timer = setTimeout(tick, opts.intervalSeconds * 1000);
  return {
    async stop() {
      running = false;
      clearTimeout(timer);
      await inFlight;
    },
  };
}
