import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { SOLUTION_STATUSES, type SolutionStatus } from '../../lambdas/domain/solution-status';
import type { RecordStore } from '../../lambdas/domain/records/record-store';
import { EXIT } from '../ops-error';
import { age, table, when, type CommandResult } from '../format';
import type { OpsTarget } from '../target';

/** Statuses an item should leave on its own, or by a decision: the oldest of each is what is stuck. */
const NOT_FINAL: ReadonlySet<SolutionStatus> = new Set(['PENDING', 'CREATING', 'CREATED', 'PENDING_DEACTIVATION']);

interface StatusStats {
  status: SolutionStatus;
  /** Items that entered or changed in this status within the window. */
  changed: number;
  /** Not final: the item in this status that changed least recently, whatever the window. */
  oldest?: { onboardingId: string; appId: string; updatedAt: string };
}

async function queueDepth(sqs: SQSClient, queueUrl: string | undefined): Promise<number | undefined> {
  if (!queueUrl) return undefined;
  const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
  return Number(Attributes.ApproximateNumberOfMessages ?? 0) + Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0);
}

async function statusStats(store: RecordStore, status: SolutionStatus, since: string): Promise<StatusStats> {
  const changed = await store.countInStatus(status, since);
  if (!NOT_FINAL.has(status)) return { status, changed };
  const [oldest] = await store.findByStatus(status, { limit: 1, maxPages: 1, pageSize: 1 });
  return { status, changed, ...(oldest ? { oldest: { onboardingId: oldest.onboardingId, appId: oldest.appId, updatedAt: oldest.updatedAt } } : {}) };
}

/** Counts by status over a window (one counting Query per status on `byStatus`), the oldest item of each unsettled status, and the parked queues' depths. */
export async function statsCommand(target: OpsTarget, since: string, now: Date): Promise<CommandResult> {
  const statuses = await Promise.all(SOLUTION_STATUSES.map((status) => statusStats(target.store, status, since)));
  const [createDlq, acceptFailures] = await Promise.all([queueDepth(target.sqs, target.queues.createDlq), queueDepth(target.sqs, target.queues.acceptFailures)]);
  const parked = { ...(createDlq === undefined ? {} : { createDlq }), ...(acceptFailures === undefined ? {} : { acceptFailures }) };

  const lines = [
    `Solutions changed since ${when(since)} (${age(since, now)} ago), by status now:`,
    ...table(
      ['STATUS', 'CHANGED', 'OLDEST NOT FINAL'],
      statuses.map((s) => [s.status, String(s.changed), s.oldest ? `${age(s.oldest.updatedAt, now)} unchanged: ${s.oldest.onboardingId} app ${s.oldest.appId}` : NOT_FINAL.has(s.status) ? '-' : '']),
    ),
  ];
  if (createDlq !== undefined) lines.push('', `Create DLQ: ${createDlq} message(s)${createDlq ? ' (see `redrive`)' : ''}`);
  if (acceptFailures !== undefined) lines.push(`Accept on-failure queue: ${acceptFailures} message(s)${acceptFailures ? ' (see `redrive`)' : ''}`);
  return { data: { since, statuses, ...(Object.keys(parked).length ? { parked } : {}) }, lines, exitCode: EXIT.ok };
}
