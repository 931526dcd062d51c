import { z } from 'zod';
import type { SolutionState } from '../domain/solution-lifecycle';

/** One `partner_solutions` change: a solution's new status, true on Graph at `observedAt` (the entry's time). */
export interface PartnerSolutionsNews {
  solutionId: string;
  event?: string;
  state: SolutionState;
  observedAt: Date;
}

export interface WebhookDelivery {
  news: PartnerSolutionsNews[];
  /** Changes of other fields (or other objects): not ours to act on. */
  ignored: number;
  /** `partner_solutions` changes without a solution id or status. */
  malformed: number;
}

/**
 * Only what a decision rests on is required, and only of the changes we act on: a delivery that
 * also carries fields, changes or objects we do not use is read, never refused.
 */
const envelope = z.object({
  entry: z
    .array(
      z.object({
        time: z.number().optional(),
        changes: z.array(z.object({ field: z.string().optional(), value: z.unknown() })).default([]),
      }),
    )
    .default([]),
});
const partnerSolutionsValue = z.object({ event: z.string().optional(), solution_id: z.string().min(1), solution_status: z.string().min(1) });

export const PARTNER_SOLUTIONS_FIELD = 'partner_solutions';

/**
 * The `partner_solutions` news in a signed delivery (graph-api.md "Webhooks"), undefined when the
 * body is not a JSON envelope at all. An entry without a time counts as news of `receivedAt`.
 */
export function readDelivery(body: string, receivedAt: Date): WebhookDelivery | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  const parsed = envelope.safeParse(json);
  if (!parsed.success) return undefined;
  const delivery: WebhookDelivery = { news: [], ignored: 0, malformed: 0 };
  for (const entry of parsed.data.entry) {
    const observedAt = entry.time !== undefined && Number.isFinite(entry.time) ? new Date(entry.time * 1000) : receivedAt;
    for (const change of entry.changes) {
      if (change.field !== PARTNER_SOLUTIONS_FIELD) {
        delivery.ignored++;
        continue;
      }
      const value = partnerSolutionsValue.safeParse(change.value);
      if (!value.success) {
        delivery.malformed++;
        continue;
      }
      delivery.news.push({ solutionId: value.data.solution_id, event: value.data.event, state: { status: value.data.solution_status }, observedAt });
    }
  }
  return delivery;
}
