import { createHmac } from 'node:crypto';

/**
 * Meta's `partner_solutions` webhook, byte for byte (docs/graph-api.md § After acceptance →
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
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: change.businessId,
        time: change.time,
        changes: [{ field: 'partner_solutions', value: { event: change.event, solution_id: change.solutionId, solution_status: change.status } }],
      },
    ],
  });
}

/** The `X-Hub-Signature-256` value: `sha256=` and the hex HMAC-SHA256 of the raw body, keyed with the app secret. */
export function hubSignature(rawBody: string, key: string): string {
  return `sha256=${createHmac('sha256', key).update(rawBody, 'utf8').digest('hex')}`;
}
