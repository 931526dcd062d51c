/**
 * The statuses of a client: a business a Tech Provider onboarded through one of our solutions, whose
 * WhatsApp Business Account (WABA) Meta then shared with us (docs/design.md §7). The moves between
 * them are the clients' transition table (client-transitions.ts), of the same shape as the solutions'.
 *
 * NEW → SHARING → CREDIT_SHARED; CREDIT_FAILED when Graph refuses for good, the WABA carries another
 * line, or the retries run out; NOT_SHARED when no credit line is configured; REMOVED when the
 * client unshared the WABA or removed our app. None of these names is a solution status (a test
 * says so), so client items share the table's `byStatus` index with solution items.
 */
export const CLIENT_STATUSES = ['NEW', 'SHARING', 'CREDIT_SHARED', 'CREDIT_FAILED', 'NOT_SHARED', 'REMOVED'] as const;
export type ClientStatus = (typeof CLIENT_STATUSES)[number];

export interface ClientStatusFacts {
  /**
   * The business counts as one that joined through the solution (the status link's count): a
   * transition between a joined status and one that is not declares the count's change (`tally`),
   * and a test holds the two together.
   */
  joined: boolean;
}

export const CLIENT_STATUS_FACTS: Readonly<Record<ClientStatus, ClientStatusFacts>> = {
  NEW: { joined: true },
  SHARING: { joined: true },
  CREDIT_SHARED: { joined: true },
  CREDIT_FAILED: { joined: true },
  NOT_SHARED: { joined: true },
  REMOVED: { joined: false },
};

/**
 * The pipeline's own conclusions about a client's credit line, kept with Graph's error:
 * - `NO_CREDIT_LINE`: none is configured (CREDIT_LINE_ID), so nothing is shared;
 * - `OTHER_CREDIT_LINE`: the WABA already carries another partner's line, which Meta never changes;
 * - `GRAPH_REFUSED`: Graph refused for good (#200 permission, #100 parameter, a token error);
 * - `RETRY_PERIOD_OVER`: transient failures lasted the whole retry period;
 * - `NOT_VERIFIED`: shared, but the WABA's funding never showed our allocation within the retry period.
 */
export const CLIENT_FAILURE_REASONS = ['NO_CREDIT_LINE', 'OTHER_CREDIT_LINE', 'GRAPH_REFUSED', 'RETRY_PERIOD_OVER', 'NOT_VERIFIED'] as const;
export type ClientFailureReason = (typeof CLIENT_FAILURE_REASONS)[number];

/** The `account_update` events that tell of a client joining through a solution (docs/graph-api.md). */
export const CLIENT_JOIN_EVENTS = ['PARTNER_ADDED', 'PARTNER_APP_INSTALLED'] as const;
/** The ones that tell of it leaving: the WABA unshared, or our app removed. */
export const CLIENT_LEAVE_EVENTS = ['PARTNER_REMOVED', 'PARTNER_APP_UNINSTALLED'] as const;
export type ClientJoinEvent = (typeof CLIENT_JOIN_EVENTS)[number];
export type ClientLeaveEvent = (typeof CLIENT_LEAVE_EVENTS)[number];
/** Who told us of a client: one of Meta's join events, or the daily pass over the WABAs shared with us. */
export const CLIENT_SOURCES = [...CLIENT_JOIN_EVENTS, 'DAILY_PASS'] as const;
export type ClientSource = (typeof CLIENT_SOURCES)[number];
