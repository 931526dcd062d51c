import { Worker } from 'node:worker_threads';
import type { InvokeReply, SerializedError, WorkerInit } from './function-worker';

export interface LocalFunctionOptions {
  functionName: string;
  /** Absolute path of the handler's bundle (exports `handler`). */
  handlerModule: string;
  /** Absolute path of the sandbox worker's bundle (local/runtime/function-worker.ts). */
  workerModule: string;
  timeoutSeconds: number;
  /** What the context reports (a sandbox's memory is not limited locally). */
  memoryMiB: number;
  /** The sandbox's whole environment: the function's variables as the stack sets them, plus AWS endpoints. */
  environment: Record<string, string>;
  /** Sandboxes that may run at once (reserved concurrency / event-source max concurrency). */
  maxConcurrency: number;
  /** Told of each invocation's duration and each sandbox's load time (the bench's usage meter). */
  usage?: { invoked(durationMs: number): void; initialized(durationMs: number): void };
}

export class FunctionError extends Error {
  constructor(
    functionName: string,
    readonly details: SerializedError,
  ) {
    super(`${functionName}: ${details.name}: ${details.message}${details.recordErrors ? `\n  ${details.recordErrors.join('\n  ')}` : ''}`);
    this.name = 'FunctionError';
  }
}

interface Sandbox {
  worker: Worker;
  ready: Promise<void>;
}

/**
 * A local Lambda function: up to `maxConcurrency` worker-thread sandboxes, created on demand and
 * reused. An invocation past the function's timeout fails and its sandbox is discarded, as Lambda does.
 */
export class LocalFunction {
  private readonly idle: Sandbox[] = [];
  private readonly all = new Set<Sandbox>();
  private readonly waiting: { resolve: (sandbox: Sandbox) => void; reject: (error: Error) => void }[] = [];
  /** The sandbox started ahead (warm()) while it loads: the first invocation takes it rather than start another. */
  private warming: Sandbox | undefined;
  private nextId = 0;
  private stopped = false;

  constructor(private readonly options: LocalFunctionOptions) {}

  async invoke<R>(event: unknown): Promise<R> {
    const sandbox = await this.acquire();
    const id = this.nextId++;
    const { worker } = sandbox;
    const started = performance.now();
    let reply: InvokeReply;
    try {
      reply = await new Promise<InvokeReply>((resolve, reject) => {
        const settle = (outcome: () => void) => {
          clearTimeout(timer);
          worker.off('message', onMessage).off('error', onError).off('exit', onExit);
          outcome();
        };
        const onMessage = (message: InvokeReply) => message.id === id && settle(() => resolve(message));
        const onError = (error: Error) => settle(() => reject(error));
        const onExit = (code: number) => settle(() => reject(new Error(`${this.options.functionName} sandbox exited with code ${code}`)));
        const timer = setTimeout(
          () => settle(() => reject(new Error(`${this.options.functionName} timed out after ${this.options.timeoutSeconds} s`))),
          this.options.timeoutSeconds * 1000,
        );
        worker.on('message', onMessage).on('error', onError).on('exit', onExit);
        worker.postMessage({ id, event });
      });
    } catch (error) {
      // Timed out or crashed: Lambda discards such a sandbox, and so do we (and bills the time it ran).
      this.options.usage?.invoked(performance.now() - started);
      await this.discard(sandbox);
      throw error;
    }
    this.release(sandbox);
    this.options.usage?.invoked(reply.durationMs);
    if (!reply.ok) throw new FunctionError(this.options.functionName, reply.error);
    return reply.result as R;
  }

  /**
   * Starts one sandbox ahead of the first invocation (as a warm Lambda instance would be), so that a
   * first request after start waits for no module load, or only for what is left of this one's.
   * Resolves once it is loaded. A sandbox that fails to start is dropped: the first invocation then
   * starts its own and reports why.
   */
  async warm(): Promise<void> {
    if (this.stopped || this.all.size > 0) return;
    const sandbox = this.spawn();
    this.warming = sandbox;
    const loaded = await sandbox.ready.then(
      () => true,
      () => false,
    );
    // An invocation that took it meanwhile has it, and deals with a failed start itself.
    if (this.warming !== sandbox) return;
    this.warming = undefined;
    if (loaded) this.release(sandbox);
    else await this.discard(sandbox);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const waiter of this.waiting.splice(0)) waiter.reject(new Error(`${this.options.functionName} is stopped`));
    await Promise.all([...this.all].map((s) => this.discard(s)));
  }

  private async acquire(): Promise<Sandbox> {
    if (this.stopped) throw new Error(`${this.options.functionName} is stopped`);
    const sandbox =
      this.idle.pop() ??
      this.takeWarming() ??
      (this.all.size < this.options.maxConcurrency ? this.spawn() : await new Promise<Sandbox>((resolve, reject) => this.waiting.push({ resolve, reject })));
    try {
      await sandbox.ready;
    } catch (error) {
      await this.discard(sandbox);
      throw error;
    }
    return sandbox;
  }

  private takeWarming(): Sandbox | undefined {
    const sandbox = this.warming;
    this.warming = undefined;
    return sandbox;
  }

  private release(sandbox: Sandbox): void {
    const next = this.waiting.shift();
    if (next) next.resolve(sandbox);
    else this.idle.push(sandbox);
  }

  private spawn(): Sandbox {
    const { functionName, handlerModule, timeoutSeconds, memoryMiB } = this.options;
    const init: WorkerInit = { functionName, handlerModule, timeoutSeconds, memoryMiB };
    // Plain bundles: none of the runtime's own loader flags (tsx) in a sandbox, as none are in Lambda.
    const worker = new Worker(this.options.workerModule, { workerData: init, env: this.options.environment, execArgv: [] });
    const spawnedAt = performance.now();
    const ready = new Promise<void>((resolve, reject) => {
      const loaded = () => {
        this.options.usage?.initialized(performance.now() - spawnedAt);
        resolve();
      };
      worker.once('message', (m) => (m === 'ready' ? loaded() : reject(new Error(`unexpected first message from ${this.options.functionName}`))));
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`${this.options.functionName} sandbox exited with code ${code} during init`)));
    });
    const sandbox = { worker, ready };
    this.all.add(sandbox);
    // A sandbox that dies between invocations (an uncaught error in code left running) leaves the pool.
    worker.on('error', () => undefined).once('exit', () => this.forget(sandbox));
    return sandbox;
  }

  private forget(sandbox: Sandbox): void {
    this.all.delete(sandbox);
    const i = this.idle.indexOf(sandbox);
    if (i >= 0) this.idle.splice(i, 1);
  }

  private async discard(sandbox: Sandbox): Promise<void> {
    this.forget(sandbox);
    await sandbox.worker.terminate();
    // A waiter blocked on a full pool gets a fresh sandbox in place of the discarded one.
    const next = this.waiting.shift();
    if (next && !this.stopped) next.resolve(this.spawn());
  }
}
