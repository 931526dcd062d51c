import { z } from 'zod';
import type { ClientNews } from '../domain/clients/client-news';
import { CLIENT_JOIN_EVENTS, CLIENT_LEAVE_EVENTS } from '../domain/clients/client-status';

export const ACCOUNT_UPDATE_FIELD = 'account_update';

const joinOrLeave = z.object({ event: z.enum([...CLIENT_JOIN_EVENTS, ...CLIENT_LEAVE_EVENTS]) });
/** What a decision rests on: the WABA and its owner, both strings; the solution fields only where Meta sends them. */
const wabaInfo = z.object({
  waba_id: z.string().min(1),
  owner_business_id: z.string().min(1),
  solution_id: z.string().min(1).optional(),
  partner_app_id: z.string().min(1).optional(),
});

/**
 * One `account_update` change's value (docs/graph-api.md § Clients): news of a client joining
 * (`PARTNER_ADDED`, `PARTNER_APP_INSTALLED`) or leaving (`PARTNER_REMOVED`, `PARTNER_APP_UNINSTALLED`);
 * `ignored` for every other event; `malformed` for a client event whose `waba_info` lacks the WABA
 * or its owner, or has them of another type.
 */
export function readAccountUpdate(value: unknown, observedAt: Date, entryId?: string): ClientNews | 'ignored' | 'malformed' {
  const event = joinOrLeave.safeParse(value);
  if (!event.success) return 'ignored';
  const info = wabaInfo.safeParse((value as { waba_info?: unknown }).waba_info);
  if (!info.success) return 'malformed';
  const { waba_id: wabaId, owner_business_id: ownerBusinessId, solution_id: solutionId, partner_app_id: partnerAppId } = info.data;
  const name = event.data.event;
  if (name === 'PARTNER_REMOVED' || name === 'PARTNER_APP_UNINSTALLED') {
    // For partner events the entry's `id` is the partner told: whom the client left.
    return { kind: 'left', event: name, wabaId, ownerBusinessId, ...(partnerAppId ? { partnerAppId } : {}), ...(entryId ? { partnerBusinessId: entryId } : {}), observedAt };
  }
  return { kind: 'joined', event: name, wabaId, ownerBusinessId, ...(solutionId ? { solutionId } : {}), ...(partnerAppId ? { partnerAppId } : {}), observedAt };
}
