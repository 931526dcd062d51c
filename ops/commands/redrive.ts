import { retrySolution } from '../../lambdas/domain/retry-solution';
import type { SolutionStatus } from '../../lambdas/domain/solution-status';
import { UNDER_WAY } from '../../lambdas/domain/status-sets';
import { asOpsError, EXIT, OpsError } from '../ops-error';
import { ParkedCreateMessages, release, remove, takeAll, type ParkedCreate, type ParkedMessage } from '../parked-messages';
import { readOnFailure, solutionsInBatch } from '../stream-batch';
import { table, type CommandResult } from '../format';
import type { OpsTarget } from '../target';
import { outcomeText, retryDeps } from './retry';

/**
 * What became of one parked message:
 * - `requeued`: back on the create queue; its item is under way (or settled, and the worker drops it);
 * - `recreated`: its abandoned item is PENDING again and the message back on the create queue;
 * - `left`: still parked, with the reason (not a create message, no record of it);
 * - `redriven`: an accept on-failure message whose solutions were re-driven, then deleted.
 */
interface Redriven {
  queue: 'create DLQ' | 'accept on-failure';
  messageId: string;
  action: 'requeued' | 'recreated' | 'left' | 'redriven';
  /** For people: what happens next, or why it was left. */
  detail: string;
  onboardingId?: string;
  appId?: string;
  status?: SolutionStatus | 'MISSING';
}

/** One queue's messages, handled; `more`: some were left for another run. */
interface Batch {
  done: Redriven[];
  more: boolean;
}

export interface RedriveRequest {
  dryRun: boolean;
  only?: 'create' | 'accept';
}

async function redriveCreates(target: OpsTarget, clock: () => Date, dryRun: boolean): Promise<Batch> {
  const { create, createDlq } = target.queues;
  if (!create || !createDlq) throw OpsError.usage('the create queue and its DLQ are not known here: give --queue and --dlq with --table, or --stack');
  const parked = await ParkedCreateMessages.take(target.sqs, { create, createDlq });
  const done: Redriven[] = [];
  const would = dryRun ? 'would be ' : '';
  try {
    for (const p of parked.all) {
      const base = { queue: 'create DLQ' as const, messageId: p.parked.messageId };
      try {
        done.push({ ...base, ...(await redriveCreate(p)) });
      } catch (error) {
        done.push({ ...base, ...(p.message ? { onboardingId: p.message.onboardingId, appId: p.message.appId } : {}), action: 'left', detail: `failed: ${asOpsError(error, 'this message').message}` });
      }
    }
  } finally {
    await parked.release();
  }
  return { done, more: parked.more };

  async function redriveCreate(p: ParkedCreate): Promise<Omit<Redriven, 'queue' | 'messageId'>> {
    if (!p.message) return { action: 'left', detail: 'not a create message the worker can read (a bug: do not print its body, it may hold a token)' };
    const item = { onboardingId: p.message.onboardingId, appId: p.message.appId };
    const record = await target.store.getSolution(item.onboardingId, item.appId);
    if (!record) return { ...item, action: 'left', status: 'MISSING', detail: 'no record of its item in this table' };
    const described = { ...item, status: record.status };
    if (record.status === 'CREATE_FAILED' && record.lastError?.reason === 'CREATE_ABANDONED') {
      // This message is the one to requeue (another for the same item, if any, follows as one under way).
      const thisMessage = { has: () => true, requeue: () => parked.move(p) };
      const result = await retrySolution(record, retryDeps(target, thisMessage, clock, dryRun));
      if (result.outcome === 'create-retried') return { ...described, action: 'recreated', detail: outcomeText(result, dryRun) };
      // Its token is of no more use (expired, say): back to the worker, which drops it with the settled item.
      if (!dryRun) await parked.move(p);
      return { ...described, action: 'requeued', detail: `${would}moved back, ${outcomeText(result, dryRun)}; the worker drops it` };
    }
    if (!UNDER_WAY.has(record.status)) {
      if (!dryRun) await parked.move(p);
      return { ...described, action: 'requeued', detail: `${would}moved back: its item is ${record.status}, the worker drops it` };
    }
    // Under way, with no delivery expected since its message was parked: the reconciler would settle
    // it (and the token with it) while the message waits for a running attempt's lease.
    if (!dryRun) {
      if (!(await target.store.expectDelivery(record, new Date(clock().getTime() + target.config.createRedeliveryMs)))) {
        return { ...described, action: 'left', detail: 'it changed meanwhile: run redrive again' };
      }
      await parked.move(p);
    }
    return { ...described, action: 'requeued', detail: `${would}moved back: the worker goes on with the create` };
  }
}

async function redriveAcceptFailures(target: OpsTarget, clock: () => Date, dryRun: boolean): Promise<Batch> {
  const queueUrl = target.queues.acceptFailures;
  if (!queueUrl) throw OpsError.usage('the accept on-failure queue is not known here: give --failure-queue with --table, or --stack');
  const { messages, more } = await takeAll(target.sqs, queueUrl);
  const deps = retryDeps(target, { has: () => false, requeue: async () => undefined }, clock, dryRun);
  const done: Redriven[] = [];
  const deleted = new Set<ParkedMessage>();
  try {
    for (const message of messages) {
      const base = { queue: 'accept on-failure' as const, messageId: message.messageId };
      try {
        const handled = await redriveBatch(message, base);
        done.push(...handled);
        if (!dryRun && handled.every((h) => h.action === 'redriven')) {
          await remove(target.sqs, queueUrl, message);
          deleted.add(message);
        }
      } catch (error) {
        done.push({ ...base, action: 'left', detail: `failed: ${asOpsError(error, 'this message').message}` });
      }
    }
  } finally {
    await release(target.sqs, queueUrl, messages.filter((m) => !deleted.has(m)));
  }
  return { done, more };

  async function redriveBatch(message: ParkedMessage, base: Pick<Redriven, 'queue' | 'messageId'>): Promise<Redriven[]> {
    const batch = readOnFailure(message.body);
    if (!batch) return [{ ...base, action: 'left', detail: 'not a stream batch Lambda reported' }];
    const found = await solutionsInBatch(target.streams, batch);
    if ('gone' in found) return [{ ...base, action: 'redriven', detail: 'its stream records are gone (kept 24 h): the reconciler retries any solution still CREATED' }];
    if ('incomplete' in found) return [{ ...base, action: 'left', detail: 'its stream records could not all be read: run redrive again' }];
    if (found.items.length === 0) return [{ ...base, action: 'redriven', detail: 'no solution item in its batch' }];
    const handled: Redriven[] = [];
    for (const item of found.items) {
      const record = await target.store.getSolution(item.onboardingId, item.appId);
      const detail = record?.status === 'CREATED' ? outcomeText(await retrySolution(record, deps), dryRun) : `nothing to do: it is ${record?.status ?? 'gone'}`;
      handled.push({ ...base, ...item, status: record?.status ?? 'MISSING', action: 'redriven', detail });
    }
    return handled;
  }
}

/** `redrive`: the create DLQ's messages back to the create queue, and the accept on-failure queue's batches re-driven from the stream. */
export async function redriveCommand(target: OpsTarget, request: RedriveRequest, clock: () => Date): Promise<CommandResult> {
  const batches = [
    ...(request.only !== 'accept' ? [await redriveCreates(target, clock, request.dryRun)] : []),
    ...(request.only !== 'create' ? [await redriveAcceptFailures(target, clock, request.dryRun)] : []),
  ];
  const done = batches.flatMap((b) => b.done);
  const more = batches.some((b) => b.more);
  const left = done.filter((d) => d.action === 'left').length;
  const lines =
    done.length === 0
      ? ['Nothing parked: the create DLQ and the accept on-failure queue are empty.']
      : [
          ...table(
            ['QUEUE', 'MESSAGE', 'ONBOARDING', 'APP', 'STATUS', 'WHAT'],
            done.map((d) => [d.queue, d.messageId, d.onboardingId ?? '-', d.appId ?? '-', d.status ?? '-', d.detail]),
          ),
          '',
          request.dryRun ? 'Dry run: nothing was changed.' : `${done.length - left} handled, ${left} left parked.`,
        ];
  if (more) lines.push('More messages wait than one run takes (1,000 a queue): run redrive again.');
  return { data: { dryRun: request.dryRun, messages: done, ...(more ? { more } : {}) }, lines, exitCode: left === 0 && !more ? EXIT.ok : EXIT.partly };
}
