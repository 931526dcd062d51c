/**
 * The single-table layout, shared by the record store, the CDK stack and the local runtime so the
 * three can never disagree. Access patterns (docs/design.md §4), each one query:
 * - by onboarding: `pk = ONBOARDING#<id>` (the onboarding item and one item per selected app)
 * - by status, newest first: index `byStatus` (`status`, `updatedAt`), solution and client items,
 *   and onboardings whose token's check intake deferred (`VERIFYING`, `VERIFY_FAILED`)
 * - by Tech Provider app: index `byAppId` (`appId`, `createdAt`)
 * - by solution id: index `bySolutionId` (`solutionId`)
 * A repeated POST finds its onboarding through the token-guard item `pk = TOKEN#<fingerprint>`; the
 * app-guard item `pk = APP#<appId>` keeps one app from getting two live solutions with us. Guard
 * items carry none of the indexed attributes, so they stay out of the indexes.
 *
 * Clients (docs/design.md §7), each one query too, no index added:
 * - by solution: `pk = SOLUTION#<solutionId>`, `sk = CLIENT#<wabaId>` (the client item)
 * - by WABA: `pk = WABA#<wabaId>`, one link item per solution it joined through (`sk = SOLUTION#…`),
 *   and when it last left us (`sk = LEFT`)
 * - the weekly allowance: `pk = APP#<appId>`, `sk = CLIENTS#<hour>`, new clients counted per hour
 * - the joined count: `pk = SOLUTION#<solutionId>`, `sk = JOINED`, one up with a new client, one down as it leaves
 * - by status: the `byStatus` index (client statuses are not solution statuses).
 * A client item keeps its solution and app as `clientSolutionId` and `clientAppId`, so that it stays
 * out of `bySolutionId` and `byAppId`, which hold solution items only.
 */
export const TABLE_LAYOUT = {
  partitionKey: 'pk',
  sortKey: 'sk',
  indexes: {
    byStatus: { partitionKey: 'status', sortKey: 'updatedAt' },
    byAppId: { partitionKey: 'appId', sortKey: 'createdAt' },
    bySolutionId: { partitionKey: 'solutionId' },
  },
  /** The accept worker needs both images: it reacts only to the transition into CREATED. */
  streamView: 'NEW_AND_OLD_IMAGES',
} as const;

export const keys = {
  onboarding: (onboardingId: string) => ({ pk: `ONBOARDING#${onboardingId}`, sk: 'ONBOARDING' }),
  solution: (onboardingId: string, appId: string) => ({ pk: `ONBOARDING#${onboardingId}`, sk: `SOLUTION#${appId}` }),
  tokenGuard: (fingerprint: string) => ({ pk: `TOKEN#${fingerprint}`, sk: 'TOKEN' }),
  /** One per Tech Provider app: names the onboarding that creates or holds its solution with us. */
  appGuard: (appId: string) => ({ pk: `APP#${appId}`, sk: 'GUARD' }),
  client: (solutionId: string, wabaId: string) => ({ pk: `SOLUTION#${solutionId}`, sk: `CLIENT#${wabaId}` }),
  clientsOfSolution: (solutionId: string) => ({ pk: `SOLUTION#${solutionId}`, skPrefix: 'CLIENT#' }),
  /** How many businesses joined through the solution and are still with it: the status API's count, one read. */
  joinedCount: (solutionId: string) => ({ pk: `SOLUTION#${solutionId}`, sk: 'JOINED' }),
  wabaLink: (wabaId: string, solutionId: string) => ({ pk: `WABA#${wabaId}`, sk: `SOLUTION#${solutionId}` }),
  /** When the WABA last left us: a join older than that, come late or out of order, is recorded as gone. */
  wabaLeft: (wabaId: string) => ({ pk: `WABA#${wabaId}`, sk: 'LEFT' }),
  /** Where the daily pass stopped in the listing of client WABAs shared with us. */
  discoveryCursor: () => ({ pk: 'DISCOVERY', sk: 'CLIENT_WABAS' }),
  /** New clients of an app recorded in one hour (`2026-12-07T05`): the weekly allowance sums a week of them. */
  clientCount: (appId: string, hour: string) => ({ pk: `APP#${appId}`, sk: `CLIENTS#${hour}` }),
};

/** `entity` tells item kinds apart, in stream filters and in the ops view. */
export const ENTITY = {
  onboarding: 'onboarding',
  solution: 'solution',
  tokenGuard: 'token-guard',
  appGuard: 'app-guard',
  client: 'client',
  wabaLink: 'waba-link',
  clientCount: 'client-count',
  joinedCount: 'joined-count',
  wabaLeft: 'waba-left',
  discoveryCursor: 'discovery-cursor',
} as const;
