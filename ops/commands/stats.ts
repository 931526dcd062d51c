import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { allowanceWindowStart } from '../../lambdas/domain/clients/client-news';
import type { ClientStore } from '../../lambdas/domain/clients/client-records';
import { CLIENT_STATUSES, type ClientStatus } from '../../lambdas/domain/clients/client-status';
import { SOLUTION_STATUSES, type SolutionStatus } from '../../lambdas/domain/solution-status';
import type { RecordStore } from '../../lambdas/domain/records/record-store';
import { LIVE } from '../../lambdas/domain/status-sets';
import { SCHEDULE } from '../../lambdas/schedule';
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

/** Live solutions read per page of the `byStatus` index, to find the apps that may gain clients. */
const LIVE_PAGE = 100;

export interface WeeklyClients {
  appId: string;
  /** New clients recorded for the app in the last 7 days (to the hour). */
  newClients: number;
  limit: number;
  percent: number;
  /** At or over SCHEDULE.clients.warnAtPercent of the limit: WeeklyClientAllowanceAlarm's threshold. */
  nearLimit: boolean;
}

/** The Tech Provider apps with a live solution of ours: those whose businesses can join, and count against their allowance. */
async function appsWithLiveSolutions(store: RecordStore): Promise<string[]> {
  const apps = new Set<string>();
  for (const status of LIVE) for await (const s of store.newestInStatus(status, {}, LIVE_PAGE)) apps.add(s.appId);
  return [...apps].sort();
}

/** Each such app's new clients over the last 7 days against the weekly limit, fullest first. */
export async function weeklyClients(store: RecordStore, clients: Pick<ClientStore, 'joinedSince'>, limit: number, now: Date): Promise<WeeklyClients[]> {
  const since = allowanceWindowStart(now);
  const apps = await appsWithLiveSolutions(store);
  const counted = await Promise.all(
    apps.map(async (appId) => {
      const newClients = await clients.joinedSince(appId, since);
      const percent = Math.round((newClients / limit) * 100);
      return { appId, newClients, limit, percent, nearLimit: newClients * 100 >= limit * SCHEDULE.clients.warnAtPercent };
    }),
  );
  return counted.sort((a, b) => b.newClients - a.newClients || (a.appId < b.appId ? -1 : 1));
}

/** Every client by status now (the `byStatus` index's count; clients are not windowed: there are few, and each status is a state to act on). */
async function clientCounts(clients: ClientStore): Promise<{ status: ClientStatus; clients: number }[]> {
  return Promise.all(CLIENT_STATUSES.map(async (status) => ({ status, clients: await clients.countClientsInStatus(status) })));
}

function clientLines(byStatus: { status: ClientStatus; clients: number }[], weekly: WeeklyClients[], limit: number): string[] {
  const lines = ['', 'Clients by status now:', ...table(['STATUS', 'CLIENTS'], byStatus.map((c) => [c.status, String(c.clients)]))];
  lines.push('', `New clients per Tech Provider app in the last 7 days (Meta allows ${limit}; warned at ${SCHEDULE.clients.warnAtPercent} %):`);
  if (weekly.length === 0) return [...lines, '  no app has a live solution'];
  return [...lines, ...table(['APP', 'NEW CLIENTS', 'OF LIMIT', 'WARNING'], weekly.map((w) => [w.appId, String(w.newClients), `${w.percent} %`, w.nearLimit ? 'NEAR THE LIMIT' : '']))];
}

/**
 * Counts by status over a window (one counting Query per status on `byStatus`), the oldest item of
 * each unsettled status, the parked queues' depths; clients by status, and each Tech Provider app's
 * new clients of the last 7 days against the weekly limit.
 */
export async function statsCommand(target: OpsTarget, since: string, now: Date): Promise<CommandResult> {
  const statuses = await Promise.all(SOLUTION_STATUSES.map((status) => statusStats(target.store, status, since)));
  const [clients, weekly] = await Promise.all([clientCounts(target.clients), weeklyClients(target.store, target.clients, target.config.weeklyClientLimit, now)]);
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
  lines.push(...clientLines(clients, weekly, target.config.weeklyClientLimit));
  return { data: { since, statuses, ...(Object.keys(parked).length ? { parked } : {}), clients, weeklyClients: weekly }, lines, exitCode: EXIT.ok };
}
