import { ACCEPT_EVENT_SOURCE, CREATE_EVENT_SOURCE, FUNCTIONS } from '../lib/pipeline-settings';
import { TABLE_LAYOUT } from '../lambdas/store/table-layout';
import { intakeWaits, listPages, minimumCalls } from './graph-calls';

/**
 * What a solution costs on AWS, and the least the design needs: the one owner of the bench's prices
 * and minimums (section `cost`, docs/performance.md). Every minimum is derived here from the work the
 * design does (its table layout, its event sources' batch sizes, Graph's calls), never typed in as a
 * number to compare with.
 */

/**
 * On-demand list prices, US East (N. Virginia), without the free tier (which a production account
 * shares with everything else). As read on 7 December 2026; the search index this bench was written
 * with held no copy of AWS's own DynamoDB and SQS pricing pages, only pages quoting them (airbyte.com's
 * DynamoDB page after the November 2024 cut, cloudburn.io's SQS guide of March 2026) and the Lambda
 * page's Arm rates: check them at aws.amazon.com/<service>/pricing before quoting a bill.
 */
export const PRICES = {
  region: 'us-east-1',
  date: '2026-12-07',
  /** DynamoDB on-demand, standard table class: per million write / read request units. */
  dynamodbWritePerMillion: 0.625,
  dynamodbReadPerMillion: 0.125,
  /** Lambda on Arm (the stack's architecture, lib/constructs/pipeline-function.ts): per million requests, per GB-second (first 7.5 billion GB-s a month). */
  lambdaRequestsPerMillion: 0.2,
  lambdaArmPerGbSecond: 0.0000133334,
  /** SQS standard queue: per million requests (each 64 KiB chunk of a payload is one). */
  sqsPerMillion: 0.4,
  /** API Gateway HTTP API: per million requests (first 300 million a month; each 512 KiB one). */
  httpApiPerMillion: 1.0,
} as const;

/** The function names the cost is told by (lib/pipeline-settings.ts FUNCTIONS). */
export type FunctionName = keyof typeof FUNCTIONS;

/** The functions a solution's way through the pipeline invokes. */
export const PIPELINE_FUNCTIONS = ['intake', 'createSolution', 'acceptSolution', 'webhook'] as const satisfies readonly FunctionName[];
export type PipelineFunction = (typeof PIPELINE_FUNCTIONS)[number];

/** Functions whose work is per minute or per day, not per solution: reported apart. */
export const PERIODIC_FUNCTIONS: readonly FunctionName[] = ['reconcile', 'discoverClients'];

/** An item the design writes: the attributes it holds before (none: a new item) and after, and those the write sets. */
interface ItemWrite {
  before?: readonly string[];
  after: readonly string[];
  sets: readonly string[];
}

/** The indexed attributes a solution item holds from intake on (status, when it last changed, its app); `solutionId` once created. */
const SOLUTION_ITEM = ['status', 'updatedAt', 'appId', 'createdAt'] as const;
const CREATED_ITEM = [...SOLUTION_ITEM, 'solutionId'] as const;
/** A status move (every one touches `updatedAt`, the byStatus sort key: docs/status-machine.md). */
const STATUS_MOVE = ['status', 'updatedAt'] as const;
/** Token guard, onboarding, app guard: none of the indexed attributes (table-layout.ts), so in no index. */
const PLAIN_ITEM: ItemWrite = { after: [], sets: [] };

/**
 * Write request units of one item's write, as DynamoDB bills them for an item up to 1 KB: one for the
 * table's copy, and for every index (each projects all attributes) whose keys the item holds after
 * it, one more, or two when the write moves that index's key (the old entry deleted, the new put).
 */
export function writeUnits(write: ItemWrite): number {
  let units = 1;
  for (const index of Object.values(TABLE_LAYOUT.indexes)) {
    const keys: string[] = 'sortKey' in index ? [index.partitionKey, index.sortKey] : [index.partitionKey];
    if (!keys.every((k) => write.after.includes(k))) continue;
    const wasIn = write.before !== undefined && keys.every((k) => write.before!.includes(k));
    units += wasIn && keys.some((k) => write.sets.includes(k)) ? 2 : 1;
  }
  return units;
}

/** A transaction's writes cost twice a standard write's. */
const transaction = (...writes: ItemWrite[]) => 2 * writes.reduce((sum, w) => sum + writeUnits(w), 0);

/** A consistent read of an item up to 4 KB is one read unit; an eventually consistent query (an index's) half. */
const CONSISTENT_READ = 1;
const INDEX_QUERY = 0.5;

/** What one function invocation must wait for, one after another: Graph calls, and DynamoDB or SQS requests. */
export interface Waits {
  graph: number;
  aws: number;
}

/**
 * The accept batches one onboarding's CREATED records take, on average, when its solutions became
 * CREATED at `createdAt` (epoch ms). Lambda invokes with what one read of the shard found (no
 * batching window: an accept is not held back), so records written further apart than a poll
 * period (`pollMs`) cannot share a batch: the fewest windows of `pollMs` covering them. Within one
 * read, Lambda spreads records over its ParallelizationFactor concurrent batches, keeping order only
 * per item ("in-order processing at the item (partition and sort key) level", Lambda developer guide,
 * "Using Lambda with DynamoDB"): m items of one read land in P·(1 − (1 − 1/P)^m) batches on average.
 */
export function acceptBatches(createdAt: readonly number[], pollMs: number): number {
  const windows: number[][] = [];
  for (const at of [...createdAt].sort((a, b) => a - b)) {
    if (windows.length > 0 && at - windows.at(-1)![0]! < pollMs) windows.at(-1)!.push(at);
    else windows.push([at]);
  }
  const lanes = ACCEPT_EVENT_SOURCE.parallelizationFactor;
  return windows.reduce((sum, w) => sum + Math.max(Math.ceil(w.length / ACCEPT_EVENT_SOURCE.batchSize), lanes * (1 - (1 - 1 / lanes) ** w.length)), 0);
}

/**
 * The least one onboarding of `k` apps asks of AWS in this design: each figure per onboarding, with
 * the reason. Two counts come from the run, as they are not the pipeline's to choose:
 * `webhookDeliveries`, Meta's deliveries for its solutions (each one invocation of the webhook
 * function), and `acceptBatches`, the accept batches its creates' end times lead to (acceptBatches).
 */
export function minimumPerOnboarding(k: number, pageSize: number, webhookDeliveries: number, acceptBatches: number) {
  const createBatches = Math.ceil(k / CREATE_EVENT_SOURCE.batchSize);
  const deliveriesPerSolution = webhookDeliveries / k;
  const newSolution: ItemWrite = { after: SOLUTION_ITEM, sets: SOLUTION_ITEM };
  const claimedForCreate: ItemWrite = { before: SOLUTION_ITEM, after: SOLUTION_ITEM, sets: STATUS_MOVE };
  const created: ItemWrite = { before: SOLUTION_ITEM, after: CREATED_ITEM, sets: [...STATUS_MOVE, 'solutionId'] };
  const movedOn: ItemWrite = { before: CREATED_ITEM, after: CREATED_ITEM, sets: STATUS_MOVE };
  // Meta's news of a solution: the create's (INITIATED, not live yet) looks nothing up (solution-lifecycle.ts);
  // the accept's (ACTIVE) is queried and recorded (newer news must not be overwritten by older).
  const recordedNews = Math.max(0, deliveriesPerSolution - 1);
  return {
    writeUnits: {
      value:
        // intake: token guard, onboarding and one item per app in one transaction; then "messages sent" on the onboarding.
        transaction(PLAIN_ITEM, PLAIN_ITEM, ...Array.from({ length: k }, () => newSolution)) +
        writeUnits(PLAIN_ITEM) +
        // each solution: the create claim with the app's guard (a transaction), CREATED, the accept claim, ACCEPTED, and its lifecycle news.
        k * (transaction(claimedForCreate, PLAIN_ITEM) + writeUnits(created) + writeUnits(movedOn) + writeUnits(movedOn) + recordedNews * writeUnits(movedOn)),
      why: 'intake’s transaction (token guard, onboarding, the solutions: ×2) and its “sent” mark; per solution the create claim with its app guard (×2), CREATED, the accept claim, ACCEPTED, the ACTIVE news; 1 KB items, each index’s copy counted (2 where its key moves)',
    },
    readUnits: {
      value: CONSISTENT_READ + k * (CONSISTENT_READ + recordedNews * INDEX_QUERY),
      why: 'intake reads the token guard (consistent); each create reads its claimed item back (a transaction returns nothing); each news of a live solution queries bySolutionId',
    },
    sqsRequests: {
      value: Math.ceil(k / 10) + 2 * createBatches,
      why: `one SendMessageBatch (10 a batch); per create batch (batch size ${CREATE_EVENT_SOURCE.batchSize}) one receive and one delete`,
    },
    graphCalls: {
      value: minimumCalls(1, k, pageSize),
      why: `debug_token, ${listPages(k, pageSize)} listing page(s); create, read, accept per solution`,
    },
    invocations: {
      intake: 1,
      createSolution: createBatches,
      acceptSolution: acceptBatches,
      webhook: webhookDeliveries,
    } satisfies Record<PipelineFunction, number>,
    /** What each invocation waits for at the least, one after another (calls made at once count once). */
    waits: {
      // the token guard; debug_token and the listing at once (then its further pages); the transaction, the messages, the "sent" mark.
      intake: { graph: intakeWaits(k, pageSize), aws: 4 },
      // claim (transaction), read back, create on Graph, CREATED.
      createSolution: { graph: 1, aws: 3 },
      // a batch's records at once: claim, read on Graph, accept, ACCEPTED.
      acceptSolution: { graph: 2, aws: 2 },
      // for the recorded news its query by solution ID and its write; the others none (per delivery, on average).
      webhook: { graph: 0, aws: (2 * recordedNews) / deliveriesPerSolution },
    } satisfies Record<PipelineFunction, Waits>,
  };
}

/** What 1,000 onboardings of three apps cost at PRICES, from per-solution figures. */
export interface SolutionCost {
  writeUnits: number;
  readUnits: number;
  sqsRequests: number;
  /** Per function: invocations and billed ms. */
  lambda: Partial<Record<FunctionName, { invocations: number; billedMs: number }>>;
  /** HTTP API requests: the POST (one per onboarding) and Meta's webhook deliveries. */
  httpRequests: number;
}

export const BILL_ONBOARDINGS = 1000;
export const BILL_APPS = 3;

/** GB-seconds of `billedMs` at the function's configured memory. */
export const gbSeconds = (fn: FunctionName, billedMs: number) => (billedMs / 1000) * (FUNCTIONS[fn].memoryMiB / 1024);

/** The bill for BILL_ONBOARDINGS × BILL_APPS solutions, by service, in US dollars. */
export function billFor(perSolution: SolutionCost) {
  const solutions = BILL_ONBOARDINGS * BILL_APPS;
  const lambdaEntries = Object.entries(perSolution.lambda) as [FunctionName, { invocations: number; billedMs: number }][];
  const lambdaRequests = lambdaEntries.reduce((sum, [, u]) => sum + u.invocations, 0) * solutions;
  const lambdaGbSeconds = lambdaEntries.reduce((sum, [fn, u]) => sum + gbSeconds(fn, u.billedMs), 0) * solutions;
  const lines = {
    dynamodb: ((perSolution.writeUnits * PRICES.dynamodbWritePerMillion + perSolution.readUnits * PRICES.dynamodbReadPerMillion) * solutions) / 1e6,
    lambda: (lambdaRequests * PRICES.lambdaRequestsPerMillion) / 1e6 + lambdaGbSeconds * PRICES.lambdaArmPerGbSecond,
    sqs: (perSolution.sqsRequests * solutions * PRICES.sqsPerMillion) / 1e6,
    httpApi: (perSolution.httpRequests * solutions * PRICES.httpApiPerMillion) / 1e6,
  };
  return { lines, total: Object.values(lines).reduce((a, b) => a + b, 0), lambdaGbSeconds };
}
