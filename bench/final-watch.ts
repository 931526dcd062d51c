import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { type SolutionRecord } from '../lambdas/domain/records';
import type { SolutionStatus } from '../lambdas/domain/solution-status';
import { UNSETTLED } from '../lambdas/domain/status-sets';
import type { RecordStore } from '../lambdas/domain/records/record-store';
import { dynamoRecordStore } from '../lambdas/store/dynamo-record-store';
import type { RuntimeEndpoints } from '../local/runtime/runtime-file';
import { mapPool } from './pool';

export interface FinalState {
  /** From `since` to the start of the poll that first found every solution final; undefined if the deadline came first. */
  finalAfterMs: number | undefined;
  /** Each onboarding's solution records as last read; an onboarding not read, or still VERIFYING, is absent. */
  records: Map<string, SolutionRecord[]>;
}

/** Up to this many onboardings are read one by one each poll; more are watched through the status index. */
const BY_ID_MAX = 5;
/** Reads of the table at once when reading every onboarding: DynamoDB Local shares the CPU with the pipeline. */
const READ_CONCURRENCY = 8;
const NOT_FINAL: SolutionStatus[] = [...UNSETTLED];

/**
 * Tells when every solution of some onboardings is final, from the table itself (with the store the
 * functions use), never through the HTTP API, whose reads would load the intake sandboxes under test.
 */
export class FinalWatch {
  private readonly db: DynamoDBDocumentClient;
  private readonly store: RecordStore;

  constructor(endpoints: RuntimeEndpoints) {
    this.db = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: endpoints.dynamodb, region: endpoints.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
    );
    this.store = dynamoRecordStore(this.db, endpoints.tableName);
  }

  destroy(): void {
    this.db.destroy();
  }

  /** Polls every `pollMs` until every solution of `onboardingIds` is final or `deadline` (a performance.now() time) passes. */
  async waitAllFinal(onboardingIds: readonly string[], opts: { since: number; pollMs: number; deadline: number }): Promise<FinalState> {
    for (;;) {
      const pollStart = performance.now();
      const unsettled = onboardingIds.length <= BY_ID_MAX ? undefined : await this.unsettledByIndex(onboardingIds);
      // The index is a cheap hint (three queries whatever the count); the records themselves confirm it.
      if (unsettled === undefined || unsettled.size === 0) {
        const records = await this.read(onboardingIds);
        if (allFinal(onboardingIds, records)) return { finalAfterMs: pollStart - opts.since, records };
        if (performance.now() >= opts.deadline) return { finalAfterMs: undefined, records };
      } else if (performance.now() >= opts.deadline) {
        return { finalAfterMs: undefined, records: await this.read(onboardingIds) };
      }
      await sleep(Math.max(0, opts.pollMs - (performance.now() - pollStart)));
    }
  }

  /** Each onboarding's solution records, read whole (consistent reads). */
  private async read(onboardingIds: readonly string[]): Promise<Map<string, SolutionRecord[]>> {
    const read = await mapPool(onboardingIds, READ_CONCURRENCY, (id) => this.store.getOnboarding(id));
    // An onboarding whose deferred check failed is final with no solution (the outcomes count them lost);
    // one still VERIFYING has none yet, and is not.
    return new Map(read.flatMap((onboarding, i) => (onboarding && onboarding.onboarding.status !== 'VERIFYING' ? [[onboardingIds[i]!, onboarding.solutions] as const] : [])));
  }

  /**
   * The onboardings among `ids` with a solution not yet final, through the `byStatus` index. Queried
   * in the order solutions move (PENDING, CREATING, CREATED), so one moving forward meanwhile is still
   * seen; one that went back a step may be missed, which the confirming read catches.
   */
  private async unsettledByIndex(ids: readonly string[]): Promise<Set<string>> {
    const wanted = new Set(ids);
    const unsettled = new Set<string>();
    for (const status of NOT_FINAL) {
      for (const record of await this.store.findByStatus(status, { limit: Number.MAX_SAFE_INTEGER, maxPages: 100 })) {
        if (wanted.has(record.onboardingId)) unsettled.add(record.onboardingId);
      }
    }
    return unsettled;
  }
}

export const isFinal = (record: SolutionRecord) => !UNSETTLED.has(record.status);

function allFinal(ids: readonly string[], records: Map<string, SolutionRecord[]>): boolean {
  return ids.every((id) => {
    const solutions = records.get(id);
    return solutions !== undefined && solutions.every(isFinal);
  });
}
