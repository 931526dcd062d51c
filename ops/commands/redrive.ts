import { retrySolution, type RetryOutcome } from '../../lambdas/domain/retry-solution';
import { UNDER_WAY, type SolutionStatus } from '../../lambdas/domain/records';
import { EXIT, OpsError } from '../ops-error';
import { ParkedCreateMessages, release, remove, takeAll, type ParkedCreate } from '../parked-messages';
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

export interface RedriveRequest {
  dryRun: boolean;
  only?: 'create' | 'accept';
}

async function redriveCreates(target: OpsTarget, clock: () => Date, dryRun: boolean): Promise<Redriven[]> {
  const { create, createDlq } = target.queues;
  if (!create || !createDlq) throw OpsError.usage('the create queue and its DLQ are not known here: give --queue and --dlq with --table, or --stack');
  const parked = await ParkedCreateMessages.take(target.sqs, { create, createDlq });
  const deps = retryDeps(target, parked, clock, dryRun);
  const done: Redriven[] = [];
  const would = dryRun ? 'would be ' : '';
  try {
    for (const p of parked.all) {
      done.push(await redriveCreate(p));
    }
  } finally {
    await parked.release();
  }
  return done;

  async function redriveCreate(p: ParkedCreate): Promise<Redriven> {
    const base = { queue: 'create DLQ' as const, messageId: p.parked.messageId };
    if (!p.message) return { ...base, action: 'left', detail: 'not a create message the worker can read (a bug: do not print its body, it may hold a token)' };
    const item = { onboardingId: p.message.onboardingId, appId: p.message.appId };
    const record = await target.store.getSolution(item.onboardingId, item.appId);
    if (!record) return { ...base, ...item, action: 'left', status: 'MISSING', detail: 'no record of its item in this table' };
    const described = { ...base, ...item, status: record.status };
    if (record.status === 'CREATE_FAILED' && record.lastError?.reason === 'CREATE_ABANDONED') {
      const result: RetryOutcome = await retrySolution(record, deps);
      if (result.outcome === 'create-retried') return { ...described, action: 'recreated', detail: outcomeText(result, dryRun) };
      // Its token is of no more use (expired, say): back to the worker, which drops it with the settled item.
      if (!dryRun) await parked.move(p);
      return { ...described, action: 'requeued', detail: `${would}moved back, ${outcomeText(result, dryRun)}; the worker drops it` };
    }
    if (!dryRun) await parked.move(p);
    return {
      ...described,
      action: 'requeued',
      detail: UNDER_WAY.has(record.status) ? `${would}moved back: the worker goes on with the create` : `${would}moved back: its item is ${record.status}, the worker drops it`,
    };
  }
}

async function redriveAcceptFailures(target: OpsTarget, clock: () => Date, dryRun: boolean): Promise<Redriven[]> {
  const queueUrl = target.queues.acceptFailures;
  if (!queueUrl) throw OpsError.usage('the accept on-failure queue is not known here: give --failure-queue with --table, or --stack');
  const messages = await takeAll(target.sqs, queueUrl);
  const deps = retryDeps(target, { has: () => false, requeue: async () => undefined }, clock, dryRun);
  const done: Redriven[] = [];
  const left = [];
  try {
    for (const message of messages) {
      const base = { queue: 'accept on-failure' as const, messageId: message.messageId };
      const batch = readOnFailure(message.body);
      if (!batch) {
        left.push(message);
        done.push({ ...base, action: 'left', detail: 'not a stream batch Lambda reported' });
        continue;
      }
      const found = await solutionsInBatch(target.streams, batch);
      if ('gone' in found) {
        done.push({ ...base, action: 'redriven', detail: 'its stream records are gone (kept 24 h): the reconciler retries any solution still CREATED' });
      } else {
        for (const item of found.items) {
          const record = await target.store.getSolution(item.onboardingId, item.appId);
          const detail = record?.status === 'CREATED' ? outcomeText(await retrySolution(record, deps), dryRun) : `nothing to do: it is ${record?.status ?? 'gone'}`;
          done.push({ ...base, ...item, status: record?.status ?? 'MISSING', action: 'redriven', detail });
        }
        if (found.items.length === 0) done.push({ ...base, action: 'redriven', detail: 'no solution item in its batch' });
      }
      if (dryRun) left.push(message);
      else await remove(target.sqs, queueUrl, message);
    }
  } finally {
    await release(target.sqs, queueUrl, dryRun ? messages : left);
  }
  return done;
}

/** `redrive`: the create DLQ's messages back to the create queue, and the accept on-failure queue's batches re-driven from the stream. */
export async function redriveCommand(target: OpsTarget, request: RedriveRequest, clock: () => Date): Promise<CommandResult> {
  const done = [
    ...(request.only !== 'accept' ? await redriveCreates(target, clock, request.dryRun) : []),
    ...(request.only !== 'create' ? await redriveAcceptFailures(target, clock, request.dryRun) : []),
  ];
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
  return { data: { dryRun: request.dryRun, messages: done }, lines, exitCode: left === 0 ? EXIT.ok : EXIT.partly };
}
