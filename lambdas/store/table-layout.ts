/**
 * The single-table layout, shared by the record store, the CDK stack and the local runtime so the
 * three can never disagree. Access patterns (docs/design.md §4), each one query:
 * - by onboarding: `pk = ONBOARDING#<id>` (the onboarding item and one item per selected app)
 * - by status, newest first: index `byStatus` (`status`, `updatedAt`), solution items only
 * - by Tech Provider app: index `byAppId` (`appId`, `createdAt`)
 * - by solution id: index `bySolutionId` (`solutionId`)
 * A repeated POST finds its onboarding through the token-guard item `pk = TOKEN#<fingerprint>`; the
 * app-guard item `pk = APP#<appId>` keeps one app from getting two live solutions with us. Guard
 * items carry none of the indexed attributes, so they stay out of the indexes.
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
};

/** `entity` tells item kinds apart, in stream filters and in the ops view. */
export const ENTITY = { onboarding: 'onboarding', solution: 'solution', tokenGuard: 'token-guard', appGuard: 'app-guard' } as const;
