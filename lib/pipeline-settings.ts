import { CLIENT_TRANSITIONS } from '../lambdas/domain/clients/client-transitions';
import type { ClientStatus } from '../lambdas/domain/clients/client-status';
import { AWAITING_ACCEPT } from '../lambdas/domain/status-sets';
import { SCHEDULE } from '../lambdas/schedule';
import { ENTITY } from '../lambdas/store/table-layout';

/**
 * How the pipeline's functions and event sources are tuned: the one copy that both the CDK stack
 * and the local runtime read, so local runs behave like the deployed stack. Every duration comes
 * from the schedule (lambdas/schedule.ts), which says why each is what it is.
 */

/** Each function's timeout and per-Graph-call timeout (the schedule's), and its memory. */
const { functionTimeoutSeconds: timeout, graphTimeoutMs } = SCHEDULE;
export const FUNCTIONS = {
  intake: { timeoutSeconds: timeout.intake, memoryMiB: 512, graphTimeoutMs: graphTimeoutMs.intake },
  createSolution: { timeoutSeconds: timeout.createSolution, memoryMiB: 512, graphTimeoutMs: graphTimeoutMs.createSolution },
  acceptSolution: { timeoutSeconds: timeout.acceptSolution, memoryMiB: 512, graphTimeoutMs: graphTimeoutMs.acceptSolution },
  reconcile: { timeoutSeconds: timeout.reconcile, memoryMiB: 512, graphTimeoutMs: graphTimeoutMs.reconcile },
  webhook: { timeoutSeconds: timeout.webhook, memoryMiB: 256 },
  // Like the accept worker: a batch of Graph calls in parallel, the secret and the records.
  shareCredit: { timeoutSeconds: timeout.shareCredit, memoryMiB: 512, graphTimeoutMs: graphTimeoutMs.shareCredit },
  discoverClients: { timeoutSeconds: timeout.discoverClients, memoryMiB: 512, graphTimeoutMs: graphTimeoutMs.discoverClients },
} as const;

/** The functions that call Graph, each with its per-call timeout. */
export type GraphCallingFunction = { [K in keyof typeof FUNCTIONS]: (typeof FUNCTIONS)[K] extends { graphTimeoutMs: number } ? K : never }[keyof typeof FUNCTIONS];

/** The reconciler (docs/design.md §5 "Nothing strands"): its period and thresholds, and how many items one pass takes on. */
export const RECONCILER = { ...SCHEDULE.reconciler, maxItemsPerPass: 100 } as const;

export const CREATE_QUEUE = SCHEDULE.createQueue;

/** Stream batches the accept function gave up on: metadata only, kept as long as a DLQ. */
export const ACCEPT_FAILURE_QUEUE = { retentionSeconds: CREATE_QUEUE.dlqRetentionSeconds } as const;

/** Stream batches the share worker gave up on: the same kind of queue, apart so that each alarm names its worker. */
export const SHARE_FAILURE_QUEUE = ACCEPT_FAILURE_QUEUE;

/**
 * The daily pass over the client WABAs shared with us (Meta's fallback when webhooks fail): its
 * period, from the schedule, in the whole hours EventBridge Scheduler's rate takes.
 */
export const CLIENT_DISCOVERY = { intervalHours: SCHEDULE.clients.discoveryIntervalHours } as const;

export const CREATE_EVENT_SOURCE = {
  /**
   * One message per invocation: its two Graph calls fit the timeout and its claim's lease whatever
   * Graph's latency, and a failure delays only that message. Throughput comes from concurrency.
   */
  batchSize: 1,
  maxBatchingWindowSeconds: 0,
  /**
   * Instances creating at once. Graph's rate limits are kept by pacing (lambdas/graph/graph-pacer.ts):
   * this bounds how many instances share them. Measured locally, 5 capped creates near 20/s.
   */
  maxConcurrency: 10,
  reportBatchItemFailures: true,
} as const;

/**
 * Only solution items that just entered a status awaiting an accept (CREATED, from the transition
 * table) reach the accept function. The old image must exist and not be in one, so an unrelated update
 * of a CREATED item does not trigger a second accept.
 */
export const ACCEPT_FILTER_PATTERN = {
  eventName: ['MODIFY'],
  dynamodb: {
    NewImage: { entity: { S: [ENTITY.solution] }, status: { S: [...AWAITING_ACCEPT] } },
    OldImage: { status: { S: [{ 'anything-but': [...AWAITING_ACCEPT] }] } },
  },
} as const;

export const ACCEPT_EVENT_SOURCE = {
  /**
   * Records one read of the shard found for one lane, accepted at once (the handler runs a batch's
   * records in parallel, three Graph calls at most each, well inside the timeout).
   */
  batchSize: 10,
  /**
   * Batches of one shard processed at once (Lambda's maximum): accepts run in parallel. Lambda keeps
   * order per item (partition and sort key), so one onboarding's solutions spread over these
   * batches, each solution's records in order. Up to this many accept invocations per shard at once.
   */
  parallelizationFactor: 10,
  startingPosition: 'TRIM_HORIZON',
  reportBatchItemFailures: true,
  bisectBatchOnError: true,
  retryAttempts: 5,
  maxRecordAgeSeconds: 6 * 3600,
  filterPattern: ACCEPT_FILTER_PATTERN,
} as const;

/** The client statuses a sharing attempt may claim (NEW, from the clients' transition table): the stream hands the worker the clients in one. */
export const AWAITING_SHARE = Object.keys(CLIENT_TRANSITIONS.claimShare.moves) as ClientStatus[];

/**
 * Client items whose new image awaits a sharing attempt reach the share worker: when recorded
 * (INSERT), and when written again into it (MODIFY): the reconciler rewrites a NEW client that no
 * worker took (old image NEW too) so that the stream carries it again, rearms a due retry, and ops
 * reopens a failed one. No condition on the old image, then: a repeated record is harmless, the
 * worker's claim (from NEW only) lets one attempt through.
 */
export const SHARE_FILTER_PATTERN = {
  eventName: ['INSERT', 'MODIFY'],
  dynamodb: {
    NewImage: { entity: { S: [ENTITY.client] }, status: { S: [...AWAITING_SHARE] } },
  },
} as const;

export const SHARE_EVENT_SOURCE = {
  /**
   * Clients come a few a day, in bursts when the daily pass records many: a batch of 5, run in
   * parallel by the handler, keeps one invocation's Graph calls (up to seven a client) well inside
   * its timeout.
   */
  batchSize: 5,
  /**
   * Two batches of a shard at once: ten clients in flight at most, well inside the credit
   * endpoints' 5,000 calls an hour per app (docs/graph-api.md); each client item's records stay in
   * order (Lambda keeps order per item).
   */
  parallelizationFactor: 2,
  startingPosition: 'TRIM_HORIZON',
  reportBatchItemFailures: true,
  bisectBatchOnError: true,
  retryAttempts: 5,
  /** What the stream gives up on, the reconciler writes again after SHARE_HANDOFF_SECONDS: nothing strands. */
  maxRecordAgeSeconds: 6 * 3600,
  filterPattern: SHARE_FILTER_PATTERN,
} as const;

/**
 * The wake queues (schedule.ts `wakeQueues`): a scheduled retry's wake-up waits there until due. One
 * queue per function rather than one filtered by kind: Lambda deletes a message that a mapping's
 * filter does not match, and each message reaches only one of the mappings polling a queue, so two
 * filtered mappings on one queue would lose each other's wake-ups. Their DLQ is shared, kept as long as the others.
 */
export const WAKE_QUEUES = { ...SCHEDULE.wakeQueues, dlqRetentionSeconds: CREATE_QUEUE.dlqRetentionSeconds } as const;

/**
 * The wake queues' event sources. Wake-ups come together when one hold ends for many items: a batch
 * of them is handled at once like a stream batch, invoked as soon as one is there, with as many
 * invocations at once as the function's stream allows.
 */
export const WAKE_EVENT_SOURCES = {
  acceptSolution: { batchSize: ACCEPT_EVENT_SOURCE.batchSize, maxBatchingWindowSeconds: 0, maxConcurrency: ACCEPT_EVENT_SOURCE.parallelizationFactor, reportBatchItemFailures: true },
  // SQS's mappings take a maximum concurrency of 2 at the least: the stream's parallelization factor exactly.
  shareCredit: { batchSize: SHARE_EVENT_SOURCE.batchSize, maxBatchingWindowSeconds: 0, maxConcurrency: SHARE_EVENT_SOURCE.parallelizationFactor, reportBatchItemFailures: true },
} as const;

/** The settings of an SQS event source mapping: the create queue's, and the wake queues'. */
export type QueueSourceSettings = typeof CREATE_EVENT_SOURCE | (typeof WAKE_EVENT_SOURCES)[keyof typeof WAKE_EVENT_SOURCES];

/** Local names of the secrets; in AWS the stack passes the secrets' ARNs instead. */
export const SECRET_NAMES = {
  systemUserToken: 'mps-onboarding/system-user-token',
  appSecret: 'mps-onboarding/app-secret',
  webhookVerifyToken: 'mps-onboarding/webhook-verify-token',
} as const;

/** How long CloudWatch Logs keep the functions' and the HTTP API's logs (a CloudWatch retention value). */
export const LOG_RETENTION_DAYS = 30;

/** How long the page's CloudFront and S3 access logs are kept. */
export const ACCESS_LOG_RETENTION_DAYS = 90;

/**
 * The HTTP API's stage-wide limits, in requests per second. A Tech Provider's page polls its
 * onboarding about once a second at first and every 10 s later, so 25/s serves dozens of onboardings
 * at once; each POST costs two Graph calls, so the cap also bounds what the API spends of the app's
 * Graph rate limit. Beyond it, clients get the contract's 429.
 */
export const HTTP_API_THROTTLE = { rateLimit: 25, burstLimit: 50 } as const;

/**
 * Meta's webhook routes have limits of their own: Meta sends one delivery per lifecycle change, and
 * a flood of unsigned calls (each a cheap 401) must not eat the Tech Providers' budget, nor theirs
 * Meta's. Beyond it Meta gets a 429 and delivers again later.
 */
export const WEBHOOK_THROTTLE = { rateLimit: 10, burstLimit: 20 } as const;

/** When the alarms fire. Each is evaluated over one period; the runbook is in docs/operating.md ("Alarm runbook"). */
export const ALARMS = {
  periodSeconds: 300,
  /**
   * Function errors per period. Intake maps every expected failure to an HTTP status, so one error
   * is a bug. The workers fail a batch on purpose to have a transient Graph error retried, so a few
   * per period are normal and only a run of them is an outage. The client discovery runs once a day:
   * one failed pass leaves a day's clients unlooked-for.
   */
  functionErrors: { intake: 1, createSolution: 5, acceptSolution: 5, reconcile: 3, webhook: 1, shareCredit: 5, discoverClients: 1 } satisfies Record<keyof typeof FUNCTIONS, number>,
  /** Any throttle: the account's concurrency is exhausted (the create source caps its own concurrency). */
  functionThrottles: 1,
  /**
   * All retries of one message fit well inside an hour; an older message means the worker is not
   * draining the queue, and at CREATE_QUEUE.retentionSeconds SQS would drop it without a trace.
   */
  createQueueOldestMessageSeconds: 3600,
  /**
   * The retries of one stream batch take minutes; a quarter of an hour behind means accepts are
   * stuck, long before ACCEPT_EVENT_SOURCE.maxRecordAgeSeconds hands records to the on-failure queue.
   */
  acceptIteratorAgeSeconds: 900,
  /** The weekly allowance alarm fires at this percentage of the deployment's WEEKLY_CLIENT_LIMIT, before Meta refuses new clients. */
  weeklyClientsWarnAtPercent: SCHEDULE.clients.warnAtPercent,
  /** 502/503 are the contract's answer to a Graph outage; a handful per period means every TP is failing. */
  api5xxPerPeriod: 5,
} as const;
