import type { AppGuards, OnboardingRecords, SolutionItems, SolutionQueries } from './ports';
import { acceptRecords } from './accept-records';
import { appGuardHolder, createRecords } from './create-records';
import { lifecycleRecords } from './lifecycle-records';
import { TransitionWriter, type RefusedTransitionReport } from './transition-writer';

export interface RecordPorts {
  items: SolutionItems;
  guards: AppGuards;
  queries: SolutionQueries;
  onboardings: OnboardingRecords;
  reportRefused?: RefusedTransitionReport;
}

/**
 * The records as the domain uses them: every status write planned from the transition table, and the
 * reads, over whichever store implements the ports (DynamoDB, or the tests' in-memory one).
 */
export function recordStore(ports: RecordPorts) {
  const writer = new TransitionWriter(ports.items, ports.reportRefused);
  const { onboardings, queries, items } = ports;
  return {
    ...createRecords(writer, ports),
    ...acceptRecords(writer),
    ...lifecycleRecords(writer),
    /** Any transition of the table by name, as the named writes above apply theirs. */
    applyTransition: writer.apply.bind(writer) as TransitionWriter['apply'],
    appGuardHolder: (appId: string) => appGuardHolder(ports, appId),
    releaseAppGuard: (appId: string, holderId: string) => ports.guards.release(appId, holderId),
    getSolution: items.getSolution.bind(items),
    findOnboardingIdByFingerprint: onboardings.findOnboardingIdByFingerprint.bind(onboardings),
    createOnboarding: onboardings.createOnboarding.bind(onboardings),
    getOnboarding: onboardings.getOnboarding.bind(onboardings),
    markEnqueued: onboardings.markEnqueued.bind(onboardings),
    completeVerification: onboardings.completeVerification.bind(onboardings),
    failVerification: onboardings.failVerification.bind(onboardings),
    reopenVerification: onboardings.reopenVerification.bind(onboardings),
    recordVerifyWaiting: onboardings.recordVerifyWaiting.bind(onboardings),
    findVerifyingPast: onboardings.findVerifyingPast.bind(onboardings),
    findByAppId: queries.findByAppId.bind(queries),
    findBySolutionId: queries.findBySolutionId.bind(queries),
    findByStatus: queries.findByStatus.bind(queries),
    newestInStatus: queries.newestInStatus.bind(queries),
    countInStatus: queries.countInStatus.bind(queries),
  };
}

/** The record store every handler, ops and the bench use. */
export type RecordStore = ReturnType<typeof recordStore>;
