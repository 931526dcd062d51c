import { createHmac } from 'node:crypto';

/**
 * Meta's `partner_solutions` and `account_update` webhooks, byte for byte (docs/graph-api.md § After acceptance →
 * Webhooks): the envelope with its keys in the order of Meta's example (graph-examples.json's
 * "partner_solutions webhook delivery"), and the `X-Hub-Signature-256` header over its raw bytes. A
 * verifier signs the bytes it received, so the simulator signs exactly the bytes it sends.
 */

/** `SOLUTION_CREATED` for a new solution; `SOLUTION_UPDATED` whenever its `solution_status` changed. */
export type PartnerSolutionsEvent = 'SOLUTION_CREATED' | 'SOLUTION_UPDATED';

export interface PartnerSolutionsChange {
  /** The business portfolio of the solution's owner: the entry's `id`. */
  businessId: string;
  /** Unix seconds: the entry's `time`. */
  time: number;
  /** A string, not only a {@link PartnerSolutionsEvent}: a control may send an event Meta never documented. */
  event: string;
  solutionId: string;
  /** `solution_status`; any string, for the same reason (docs/graph-api.md: treat unknown values as unknown). */
  status: string;
}

export function partnerSolutionsBody(change: PartnerSolutionsChange): string {
  return envelope(change.businessId, change.time, 'partner_solutions', { event: change.event, solution_id: change.solutionId, solution_status: change.status });
}

/**
 * `account_update`'s `waba_info` (docs/graph-api.md § Clients onboarded through a solution), keys in
 * the order of Meta's example. `partner_app_id` only for the app events, the solution fields only for
 * a client onboarded through a solution (never for `PARTNER_APP_UNINSTALLED`).
 */
export interface WabaInfo {
  waba_id: string;
  owner_business_id: string;
  /** Our choice (the docs are silent on key order): right after the owner, before the solution fields. */
  partner_app_id?: string;
  solution_id?: string;
  solution_partner_business_ids?: string[];
}

/** The `account_update` events the simulator makes itself; a control may send any other. */
export type AccountUpdateEvent = 'PARTNER_ADDED' | 'PARTNER_APP_INSTALLED' | 'PARTNER_APP_UNINSTALLED' | 'PARTNER_REMOVED';

export interface AccountUpdateChange {
  /** For partner events, the receiving partner's business portfolio: the entry's `id`. */
  businessId: string;
  /** Unix seconds: the entry's `time`. */
  time: number;
  /** The change's `value`: `{event, waba_info}` as Meta sends it, or anything a test of bad input wants. */
  value: { event: string; waba_info?: WabaInfo } | Record<string, unknown>;
}

export function accountUpdateBody(change: AccountUpdateChange): string {
  return envelope(change.businessId, change.time, 'account_update', change.value);
}

/** The envelope every field shares: one entry with one change (`object` is always `whatsapp_business_account`). */
function envelope(entryId: string, time: number, field: string, value: unknown): string {
  return JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: entryId, time, changes: [{ field, value }] }] });
}

/** The `X-Hub-Signature-256` value: `sha256=` and the hex HMAC-SHA256 of the raw body, keyed with the app secret. */
export function hubSignature(rawBody: string, key: string): string {
  return `sha256=${createHmac('sha256', key).update(rawBody, 'utf8').digest('hex')}`;
}
