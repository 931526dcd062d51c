import type { ClientAccounts, SimBusiness, SimWaba } from './client-accounts';
import { numericId } from './graph-ids';
import { mulberry32 } from './seeded-random';
import type { AccountUpdateEvent, WabaInfo } from './webhook-envelope';
import type { WebhookDelivery, WebhookSender } from './webhooks';

/**
 * Embedded Signup through a solution, as Meta reports it to us (docs/graph-api.md § Clients onboarded
 * through a solution): the client's business and WABA, shared with every partner of the solution, and
 * the `account_update` deliveries, which may be `PARTNER_ADDED`, `PARTNER_APP_INSTALLED` or both,
 * repeated, in either order, or missing (the daily fallback must then find the client).
 */

/**
 * What onboarding needs of the simulator's world: GraphSimulatorState, which calls these functions,
 * named by the parts it uses (state.ts is not imported, so that the two modules form no cycle).
 */
export interface OnboardingWorld {
  readonly solutions: ReadonlyMap<string, { status: string; partners: readonly { app: { id: string } }[] }>;
  readonly partnerApp: { id: string };
  readonly seed: { partnerBusiness: { id: string } };
  readonly clients: ClientAccounts;
  readonly webhooks: WebhookSender;
  /** The business portfolio of the solution's owner (the Tech Provider's). */
  ownerBusinessId(solutionId: string): string;
}

/** Which of the two onboarding events Meta sends. */
export type OnboardingEvents = 'added' | 'installed' | 'both';
export const ONBOARDING_EVENTS: readonly OnboardingEvents[] = ['added', 'installed', 'both'];

export interface OnboardingOptions {
  /** Drawn at random when absent, as are `repeat` and `reverse`. */
  events?: OnboardingEvents;
  /** Every event twice (a redelivery). */
  repeat?: boolean;
  /** `PARTNER_APP_INSTALLED` before `PARTNER_ADDED` (only matters with both). */
  reverse?: boolean;
  /** No delivery at all: a missed webhook. */
  noWebhook?: boolean;
  /** `other`: the WABA already carries another partner's credit line. */
  fundedBy?: 'other';
  /** Known IDs and names instead of made-up ones; a business ID the simulator knows gives that client another WABA. */
  wabaId?: string;
  wabaName?: string;
  timezoneId?: string;
  businessId?: string;
  businessName?: string;
}

/** The variant of the deliveries that was sent (drawn or as asked). */
export interface OnboardingVariant {
  events: OnboardingEvents;
  repeat: boolean;
  reverse: boolean;
  noWebhook: boolean;
}

export interface OnboardedClient {
  business: SimBusiness;
  waba: SimWaba;
  variant: OnboardingVariant;
  deliveries: WebhookDelivery[];
}

/** What the simulator refuses to make happen: Meta would not do it either (an inactive solution, an unknown WABA). */
export class ClientRefusal extends Error {
  override readonly name = 'ClientRefusal';
  constructor(
    readonly reason: 'unknown-solution' | 'not-active' | 'not-our-solution' | 'unknown-waba' | 'not-shared' | 'exists',
    message: string,
  ) {
    super(message);
  }
}

/** Our choice (the docs are silent): a timezone_id for a made-up WABA (Meta's IDs are numeric strings). */
const DEFAULT_TIMEZONE_ID = '1';

/** The variant's random draws: one draw for each option not given. */
export function drawVariant(opts: OnboardingOptions, random: () => number): OnboardingVariant {
  return {
    events: opts.events ?? ONBOARDING_EVENTS[Math.floor(random() * ONBOARDING_EVENTS.length)]!,
    // Our choice of how often: a repeat now and then, either order equally.
    repeat: opts.repeat ?? random() < 0.3,
    reverse: opts.reverse ?? random() < 0.5,
    noWebhook: opts.noWebhook ?? false,
  };
}

/**
 * A client completes Embedded Signup with an `ACTIVE` solution that invites our app: a WABA owned by
 * the client's business, shared with our business and the Tech Provider's, our app installed, and the
 * `account_update` deliveries of the variant to our callback (`entry[].id` our business).
 */
export function onboardClient(state: OnboardingWorld, solutionId: string, opts: OnboardingOptions, random: () => number): OnboardedClient {
  const solution = state.solutions.get(solutionId);
  if (!solution) throw new ClientRefusal('unknown-solution', `no solution ${solutionId}`);
  // docs/graph-api.md: any state but Active makes Embedded Signup show customers an error.
  if (solution.status !== 'ACTIVE') throw new ClientRefusal('not-active', `solution ${solutionId} is ${solution.status}, not ACTIVE`);
  if (!solution.partners.some((p) => p.app.id === state.partnerApp.id)) throw new ClientRefusal('not-our-solution', `solution ${solutionId} does not invite our app`);
  if (opts.wabaId !== undefined && state.clients.wabas.has(opts.wabaId)) throw new ClientRefusal('exists', `WABA ${opts.wabaId} exists already`);

  const business = state.clients.business(opts.businessId, opts.businessName);
  const partnerBusinessIds = [state.seed.partnerBusiness.id, state.ownerBusinessId(solutionId)];
  const waba = state.clients.addWaba({
    id: opts.wabaId ?? numericId(),
    name: opts.wabaName ?? `${business.name} WhatsApp`,
    timezoneId: opts.timezoneId ?? DEFAULT_TIMEZONE_ID,
    ownerBusiness: business,
    sharedWith: partnerBusinessIds,
    solutionId,
    appInstalled: true,
    assignedUsers: [],
    ...(opts.fundedBy === 'other' ? { primaryFundingId: numericId() } : {}),
    onboardedAt: new Date().toISOString(),
  });
  const variant = drawVariant(opts, random);
  const solutionInfo = { solution_id: solutionId, solution_partner_business_ids: partnerBusinessIds };
  const added = () => announce(state, waba, 'PARTNER_ADDED', solutionInfo);
  const installed = () => announce(state, waba, 'PARTNER_APP_INSTALLED', solutionInfo);
  const once = { added: [added], installed: [installed], both: variant.reverse ? [installed, added] : [added, installed] }[variant.events];
  const sends = variant.noWebhook ? [] : variant.repeat ? [...once, ...once] : once;
  return { business, waba, variant, deliveries: sends.map((send) => send()) };
}

/** The client unshares the WABA with us: `PARTNER_REMOVED` (`waba_id`, `owner_business_id`). */
export function removeClient(state: OnboardingWorld, wabaId: string): WebhookDelivery {
  const waba = sharedWaba(state, wabaId);
  waba.sharedWith = waba.sharedWith.filter((id) => id !== state.seed.partnerBusiness.id);
  return announce(state, waba, 'PARTNER_REMOVED', {});
}

/** The client removes our app: `PARTNER_APP_UNINSTALLED` (`waba_id`, `owner_business_id`, `partner_app_id`, never the solution fields). */
export function uninstallApp(state: OnboardingWorld, wabaId: string): WebhookDelivery {
  const waba = sharedWaba(state, wabaId);
  waba.appInstalled = false;
  return announce(state, waba, 'PARTNER_APP_UNINSTALLED', {});
}

function sharedWaba(state: OnboardingWorld, wabaId: string): SimWaba {
  const waba = state.clients.wabas.get(wabaId);
  if (!waba) throw new ClientRefusal('unknown-waba', `no WABA ${wabaId}`);
  if (!waba.sharedWith.includes(state.seed.partnerBusiness.id)) throw new ClientRefusal('not-shared', `WABA ${wabaId} is not shared with our business`);
  return waba;
}

/** Queues one `account_update` about a WABA to our callback; the app events name our partner app. */
function announce(state: OnboardingWorld, waba: SimWaba, event: AccountUpdateEvent, solutionInfo: Pick<WabaInfo, 'solution_id' | 'solution_partner_business_ids'>): WebhookDelivery {
  const appEvent = event === 'PARTNER_APP_INSTALLED' || event === 'PARTNER_APP_UNINSTALLED';
  const wabaInfo: WabaInfo = {
    waba_id: waba.id,
    owner_business_id: waba.ownerBusiness.id,
    ...(appEvent ? { partner_app_id: state.partnerApp.id } : {}),
    ...solutionInfo,
  };
  return state.webhooks.accountUpdated({ businessId: state.seed.partnerBusiness.id, time: Math.floor(Date.now() / 1000), value: { event, waba_info: wabaInfo } });
}

/** The variants' draws: seeded (so that a test can fix them), or `Math.random` without a seed. */
export function variantRandom(seed: number | undefined): () => number {
  return seed === undefined ? Math.random : mulberry32(seed);
}
