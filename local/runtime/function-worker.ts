import { parentPort, workerData } from 'node:worker_threads';
import type { Handler } from './lambda-context';
import { lambdaContext } from './lambda-context';

/**
 * One Lambda sandbox: a worker thread with its own copy of the handler module (own clients, logger,
 * caches) and its own environment. It runs one invocation at a time, as Lambda does.
 */
export interface WorkerInit {
  functionName: string;
  handlerModule: string;
  timeoutSeconds: number;
  memoryMiB: number;
}
export type InvokeRequest = { id: number; event: unknown };
/** `durationMs`: the handler's run, as Lambda's duration counts it (what the usage meter bills). */
export type InvokeReply = ({ id: number; ok: true; result: unknown } | { id: number; ok: false; error: SerializedError }) & { durationMs: number };
export interface SerializedError {
  name: string;
  message: string;
  /** A Powertools FullBatchFailureError's per-record errors. */
  recordErrors?: string[];
}

// As NODE_OPTIONS=--enable-source-maps does in Lambda: stack traces point into the TypeScript sources.
process.setSourceMapsEnabled(true);
const init = workerData as WorkerInit;
const module = (await import(init.handlerModule)) as { handler: Handler<unknown, unknown> };
const port = parentPort!;

port.on('message', async ({ id, event }: InvokeRequest) => {
  const started = performance.now();
  try {
    const controller = new AbortController();
    const result = await module.handler(event, lambdaContext(init.functionName, init.timeoutSeconds, init.memoryMiB), { signal: controller.signal });
    port.postMessage({ id, ok: true, result: result ?? null, durationMs: performance.now() - started } satisfies InvokeReply);
  } catch (error) {
    port.postMessage({ id, ok: false, error: serialize(error), durationMs: performance.now() - started } satisfies InvokeReply);
  }
});
port.postMessage('ready');

function serialize(error: unknown): SerializedError {
  const e = error instanceof Error ? error : new Error(String(error));
  const recordErrors = (e as { recordErrors?: unknown[] }).recordErrors;
  return {
    name: e.name,
    message: e.message,
    ...(Array.isArray(recordErrors) ? { recordErrors: recordErrors.map((r) => (r instanceof Error ? `${r.name}: ${r.message}` : String(r))) } : {}),
  };
}
