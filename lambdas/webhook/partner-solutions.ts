import { z } from 'zod';
import type { ClientNews } from '../domain/clients/client-news';
import type { LifecycleNews } from '../domain/solution-lifecycle';
import { ACCOUNT_UPDATE_FIELD, readAccountUpdate } from './account-update';

export interface WebhookDelivery {
  /** The envelope's `object`: only `whatsapp_business_account` is read; any other one's changes are all `ignored`. */
  object: string;
  /** Each `partner_solutions` change: a solution's new status, true on Graph at the entry's time. */
  news: LifecycleNews[];
  /** Each `account_update` change about a client joining or leaving (docs/graph-api.md § Clients). */
  clients: ClientNews[];
  /** Changes of other fields (or other objects, or other `account_update` events): not ours to act on. */
  ignored: number;
  /** Entries or `partner_solutions` changes without what a decision rests on (a solution id, a status). */
  malformed: number;
  /** Client events whose `waba_info` lacks the WABA or its owner, or has them of another type. */
  clientsMalformed: number;
}

const envelope = z.object({ object: z.string(), entry: z.array(z.unknown()) });
const entrySchema = z.object({ id: z.string().optional().catch(undefined), time: z.number().finite().optional(), changes: z.array(z.unknown()).default([]) });
const changeSchema = z.object({ field: z.string().optional(), value: z.unknown() });
const partnerSolutionsValue = z.object({ solution_id: z.string().min(1), solution_status: z.string().min(1) });

export const PARTNER_SOLUTIONS_FIELD = 'partner_solutions';
/** The object our fields belong to (docs/graph-api.md "Webhooks"): news of any other object is not ours. */
export const WEBHOOK_OBJECT = 'whatsapp_business_account';

/**
 * How far ahead of our clock an entry's time may be: a few minutes of skew. Later than that, it is
 * not a time in seconds at all (milliseconds, say), and news that far in the future would outrank
 * every later one: it counts as news of its arrival.
 */
const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/**
 * The `partner_solutions` and `account_update` news in a signed delivery (docs/graph-api.md "Webhooks"), undefined when the
 * body is not a JSON envelope at all (an object with a string `object` and an `entry` array), and
 * `'too-large'` when its entries hold more than `maxChanges` changes in all, so that the caller refuses
 * it before writing anything. Only what a decision rests on is required, and only of the
 * changes we act on, each on its own: fields, changes or objects we do not use, or one odd entry,
 * never cost the rest of the delivery. An entry without a usable time counts as news of `receivedAt`.
 */
export function readDelivery(body: string, receivedAt: Date, maxChanges: number): WebhookDelivery | 'too-large' | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  const parsed = envelope.safeParse(json);
  if (!parsed.success) return undefined;
  const { object, entry: entries } = parsed.data;
  const changes = entries.reduce<number>((sum, entry) => sum + changeCount(entry), 0);
  const delivery: WebhookDelivery = { object, news: [], clients: [], ignored: 0, malformed: 0, clientsMalformed: 0 };
  // Another object's news (a Page's, say) is never applied, whatever its fields are called.
  if (object !== WEBHOOK_OBJECT) return { ...delivery, ignored: changes };
  if (changes > maxChanges) return 'too-large';
  for (const rawEntry of entries) {
    const entry = entrySchema.safeParse(rawEntry);
    if (!entry.success) {
      delivery.malformed++;
      continue;
    }
    const observedAt = entryTime(entry.data.time, receivedAt);
    for (const rawChange of entry.data.changes) {
      const change = changeSchema.safeParse(rawChange);
      if (change.success && change.data.field === ACCOUNT_UPDATE_FIELD) {
        const client = readAccountUpdate(change.data.value, observedAt, entry.data.id);
        if (client === 'ignored') delivery.ignored++;
        else if (client === 'malformed') delivery.clientsMalformed++;
        else delivery.clients.push(client);
        continue;
      }
      if (change.success && change.data.field !== PARTNER_SOLUTIONS_FIELD) {
        delivery.ignored++;
        continue;
      }
      const value = partnerSolutionsValue.safeParse(change.data?.value);
      if (!value.success) {
        delivery.malformed++;
        continue;
      }
      delivery.news.push({ solutionId: value.data.solution_id, state: { status: value.data.solution_status }, observedAt, source: 'webhook' });
    }
  }
  return delivery;
}

function changeCount(entry: unknown): number {
  const changes = (entry as { changes?: unknown } | null)?.changes;
  return Array.isArray(changes) ? changes.length : 0;
}

/** A time past the allowed skew, or none a Date can hold (`1e13` seconds is past year 275760), is the arrival's. */
function entryTime(unixSeconds: number | undefined, receivedAt: Date): Date {
  if (unixSeconds === undefined || unixSeconds <= 0) return receivedAt;
  const at = new Date(unixSeconds * 1000);
  return at.getTime() <= receivedAt.getTime() + MAX_CLOCK_SKEW_MS ? at : receivedAt;
}
