import { randomBytes } from 'node:crypto';
import { numericId } from './graph-ids';
import { ClientAccounts, type SimBusiness, type SimCreditLine } from './client-accounts';
import * as onboarding from './client-onboarding';
import { SimulatorControls } from './controls';
import type { AccountUpdateChange, PartnerSolutionsEvent } from './webhook-envelope';
import { WebhookSender, type WebhookDelivery } from './webhooks';

/**
 * The Graph simulator's world: one Solution Partner app (with its app secret and system-user token),
 * Tech Providers who own apps, the user tokens they obtained by logging in, and the solutions created
 * and accepted. Tests drive it in-process; the control endpoints expose the same operations over HTTP.
 */

/** The permission values docs/graph-api.md lists; a create body may name only these. */
export const PERMISSIONS = [
  'MESSAGING',
  'MANAGE',
  'DEVELOP',
  'MANAGE_TEMPLATES',
  'MANAGE_PHONE',
  'VIEW_COST',
  'MANAGE_EXTENSIONS',
  'VIEW_PHONE_ASSETS',
  'MANAGE_PHONE_ASSETS',
  'VIEW_TEMPLATES',
  'VIEW_INSIGHTS',
] as const;
/** What both apps of a solution get on top of what the creator chose (docs/graph-api.md; Meta's example). */
export const DEFAULT_PERMISSIONS = ['MANAGE', 'DEVELOP', 'MANAGE_TEMPLATES', 'VIEW_INSIGHTS'] as const;
export const SOLUTION_NAME_MAX_LENGTH = 100;

export interface SimApp {
  id: string;
  name: string;
}

export interface SimTechProvider {
  userId: string;
  name: string;
  /** The Tech Provider's business portfolio: the `entry[].id` of webhooks about its solutions. */
  businessId: string;
  apps: SimApp[];
}

export type SimToken =
  | { kind: 'user'; token: string; userId: string; appId: string; selectedAppIds: string[]; scopes: string[]; expiresAt: number }
  | { kind: 'system-user'; token: string; appId: string }
  | { kind: 'app'; token: string; appId: string }
  /** A client's business token, from `GET /{solution}/access_token?business_id=` (docs/graph-api.md § Clients onboarded through a solution). */
  | { kind: 'business'; token: string; businessId: string; solutionId: string; expiresAt: number };

/** `GET /{solution}/access_token`'s answer: Meta's reference `{access_token, expires_at}`, or its guide's `{data: [{access_token}]}`. */
export type AccessTokenShape = 'reference' | 'guide';

/** A solution's `status` (docs/graph-api.md § Solution details). */
export type SimSolutionStatus = 'DRAFT' | 'INITIATED' | 'ACTIVE' | 'REJECTED' | 'DEACTIVATED';
/** A solution's `status_for_pending_request`. */
export type SimPendingRequest = 'PENDING_ACTIVATION' | 'PENDING_DEACTIVATION' | 'NONE';
/** A webhook's `solution_status`: the status, or `PENDING_DEACTIVATION` while a deactivation is requested. */
export type SimWebhookStatus = SimSolutionStatus | 'PENDING_DEACTIVATION';
/**
 * One partner's `status` in the `partners` edge: `ACCEPTED` is documented; `NOTIFICATION_SENT` for a
 * pending invitation is what Meta's example shows; `REJECTED` for a declined one is our choice.
 */
export type SimPartnerStatus = 'NOTIFICATION_SENT' | 'ACCEPTED' | 'REJECTED';

export interface SimSolutionPartner {
  app: SimApp;
  permissions: string[];
  status: SimPartnerStatus;
}

export interface SimSolution {
  id: string;
  name: string;
  status: SimSolutionStatus;
  statusForPendingRequest: SimPendingRequest;
  ownerApp: SimApp;
  ownerPermissions: string[];
  partners: SimSolutionPartner[];
  createdAt: string;
  acceptedAt?: string;
}

export interface SimRequest {
  at: string;
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  /** The token presented, as the simulator resolved it (undefined when none or unknown). */
  auth: { kind: SimToken['kind'] | 'unknown' | 'none'; token?: string; userId?: string };
  status: number;
  /** A rate limit refused it (controls.rateLimits). */
  throttled?: true;
}

export interface SimulatorSeed {
  partnerApp: SimApp;
  appSecret: string;
  systemUserToken: string;
  /** The verify token of the app's webhook subscription: `subscribe` presents it in the handshake unless given another. */
  webhookVerifyToken: string;
  techProviders: SimTechProvider[];
  /** Our business portfolio: the `entry[].id` of `account_update` deliveries to us, the owner of our credit lines. */
  partnerBusiness: SimBusiness;
  /** Our admin system user, the one whose token is `systemUserToken`: assigned to client WABAs by ID. */
  systemUserId: string;
  /** Our extended credit lines, as `GET /{our business}/extendedcredits` lists them. */
  creditLines: SimCreditLine[];
  /** Fixes the random variants of `onboardClient`'s deliveries (a test's choice); random without it. */
  onboardingSeed?: number;
  /**
   * The most items one page of a listing holds, whatever `limit` asks. Graph may return fewer items
   * than `limit`; the default (2) makes every client follow paging. At 100 or more, only `limit` and
   * Graph's own maximum (100) decide.
   */
  maxPageSize: number;
  /** The app-level hourly call allowance behind the X-App-Usage header. */
  hourlyCallAllowance: number;
}

export const DEFAULT_SEED: SimulatorSeed = {
  partnerApp: { id: '1000000000000001', name: 'Acme Messaging (Solution Partner)' },
  appSecret: 'simulator-app-secret',
  systemUserToken: 'simulator-system-user-token',
  webhookVerifyToken: 'simulator-webhook-verify-token',
  techProviders: [
    {
      userId: '2000000000000001',
      name: 'Monsoon Media (Tech Provider)',
      businessId: '102290129340398',
      apps: [
        { id: '634974688087057', name: 'media_monsoon_prod' },
        { id: '634974688087058', name: 'media_monsoon_staging' },
        { id: '634974688087059', name: 'monsoon_support_bot' },
      ],
    },
  ],
  partnerBusiness: { id: '2949482758682047', name: 'Acme Messaging Ltd' },
  systemUserId: '61550000000001',
  creditLines: [{ id: '1972385232742146', legalEntityName: 'Acme Messaging Ltd' }],
  maxPageSize: 2,
  hourlyCallAllowance: 10_000,
};

/** Our system user's name in `assigned_users` (our choice: the docs are silent). */
export const SYSTEM_USER_NAME = 'Acme Messaging system user';
/** How long a client's business token lives (our choice: the docs say only that it is time-limited). */
const BUSINESS_TOKEN_SECONDS = 24 * 3600;

const DAY_SECONDS = 24 * 3600;

export class GraphSimulatorState {
  readonly requests: SimRequest[] = [];
  readonly solutions = new Map<string, SimSolution>();
  readonly controls = new SimulatorControls();
  /** The clients onboarded through solutions: their businesses, WABAs and our credit allocations. */
  readonly clients = new ClientAccounts();
  /** Which of Meta's two shapes `GET /{solution}/access_token` answers (a control switches it). */
  accessTokenShape: AccessTokenShape = 'reference';
  private onboardingRandom: () => number = Math.random;
  /** Meta's side of the app's webhook subscription: every change of a solution's status is sent there. */
  readonly webhooks: WebhookSender;
  private readonly tokens = new Map<string, SimToken>();
  private readonly techProvidersById = new Map<string, SimTechProvider>();
  private callTimes: number[] = [];

  /** Items per listing page: the controls' override, else the seed's. */
  maxPageSize(): number {
    return this.controls.maxPageSize ?? this.seed.maxPageSize;
  }

  constructor(readonly seed: SimulatorSeed = DEFAULT_SEED) {
    this.webhooks = new WebhookSender({ appSecret: seed.appSecret, verifyToken: seed.webhookVerifyToken });
    this.reset();
  }

  /**
   * Back to the seed: no user tokens, solutions, logged requests, faults, limits or latency, and no
   * webhook subscription or deliveries (pending ones are cancelled): a callback gets webhooks again
   * only once it subscribes again.
   */
  reset(): void {
    this.controls.reset();
    this.webhooks.reset();
    this.requests.length = 0;
    this.solutions.clear();
    this.clients.clear();
    this.accessTokenShape = 'reference';
    this.onboardingRandom = onboarding.variantRandom(this.seed.onboardingSeed);
    this.tokens.clear();
    this.techProvidersById.clear();
    this.callTimes = [];
    for (const tp of this.seed.techProviders) this.techProvidersById.set(tp.userId, structuredClone(tp));
    const { partnerApp, systemUserToken, appSecret } = this.seed;
    this.tokens.set(systemUserToken, { kind: 'system-user', token: systemUserToken, appId: partnerApp.id });
    const appToken = `${partnerApp.id}|${appSecret}`;
    this.tokens.set(appToken, { kind: 'app', token: appToken, appId: partnerApp.id });
  }

  get partnerApp(): SimApp {
    return this.seed.partnerApp;
  }

  /** A Tech Provider beside the seed's; without a business portfolio ID it gets a made-up one. */
  addTechProvider(tp: Omit<SimTechProvider, 'businessId'> & { businessId?: string }): SimTechProvider {
    const added = { ...tp, businessId: tp.businessId ?? numericId() };
    this.techProvidersById.set(tp.userId, structuredClone(added));
    return added;
  }

  /** Every Tech Provider, the seed's and those added. */
  techProviders(): SimTechProvider[] {
    return [...this.techProvidersById.values()];
  }

  techProvider(userId?: string): SimTechProvider | undefined {
    return userId ? this.techProvidersById.get(userId) : this.techProvidersById.values().next().value;
  }

  /**
   * What the Facebook login dialog does: a user token for our app, tied to the apps the Tech
   * Provider selected and the scopes granted.
   */
  issueUserToken(opts: { userId?: string; appIds: string[]; scopes?: string[]; expiresInSeconds?: number; forAppId?: string }): SimToken & { kind: 'user' } {
    const tp = this.techProvider(opts.userId);
    if (!tp) throw new Error(`unknown Tech Provider ${opts.userId ?? '(default)'}`);
    const unknown = opts.appIds.filter((id) => !tp.apps.some((a) => a.id === id));
    if (unknown.length > 0) throw new Error(`Tech Provider ${tp.userId} does not own app(s) ${unknown.join(', ')}`);
    const token = {
      kind: 'user' as const,
      token: `EAAsim${randomBytes(24).toString('base64url')}`,
      userId: tp.userId,
      // The app the login was made for: ours, unless a test wants a token issued for another app.
      appId: opts.forAppId ?? this.partnerApp.id,
      selectedAppIds: [...opts.appIds],
      scopes: opts.scopes ?? ['manage_app_solution', 'public_profile'],
      expiresAt: Math.floor(Date.now() / 1000) + (opts.expiresInSeconds ?? 60 * DAY_SECONDS),
    };
    this.tokens.set(token.token, token);
    return token;
  }

  /** Expires a token now, as if its lifetime ran out. */
  expireToken(token: string): void {
    const t = this.tokens.get(token);
    if (t?.kind === 'user' || t?.kind === 'business') t.expiresAt = Math.floor(Date.now() / 1000) - 1;
  }

  resolveToken(token: string | undefined): SimToken | undefined {
    return token ? this.tokens.get(token) : undefined;
  }

  isExpired(token: SimToken): boolean {
    return (token.kind === 'user' || token.kind === 'business') && token.expiresAt * 1000 <= Date.now();
  }

  /** A new business token of a client's business, random like every token; earlier ones stay valid until they expire. */
  issueBusinessToken(businessId: string, solutionId: string): SimToken & { kind: 'business' } {
    const token = { kind: 'business' as const, token: `EAAsimB${randomBytes(24).toString('base64url')}`, businessId, solutionId, expiresAt: Math.floor(Date.now() / 1000) + BUSINESS_TOKEN_SECONDS };
    this.tokens.set(token.token, token);
    return token;
  }

  /** Every business token issued since the last reset, expired ones included: what a leak scan looks for. */
  businessTokens(): (SimToken & { kind: 'business' })[] {
    return [...this.tokens.values()].filter((t): t is SimToken & { kind: 'business' } => t.kind === 'business');
  }

  /**
   * A client completes Embedded Signup with an `ACTIVE` solution of ours: see client-onboarding.ts.
   * Options not given are drawn at random (seed `onboardingSeed` fixes the draws). Throws a
   * {@link onboarding.ClientRefusal} for a solution that cannot onboard.
   */
  onboardClient(solutionId: string, opts: onboarding.OnboardingOptions = {}): onboarding.OnboardedClient {
    return onboarding.onboardClient(this, solutionId, opts, this.onboardingRandom);
  }

  /** The client unshares a WABA with us (`PARTNER_REMOVED`). */
  removeClient(wabaId: string): WebhookDelivery {
    return onboarding.removeClient(this, wabaId);
  }

  /** The client removes our app from a WABA (`PARTNER_APP_UNINSTALLED`). */
  uninstallApp(wabaId: string): WebhookDelivery {
    return onboarding.uninstallApp(this, wabaId);
  }

  /**
   * An `account_update` of the caller's own making, sent once: another solution's, a missing or wrong
   * `waba_info`, a bad signature. `entry[].id` is our business unless given.
   */
  sendAccountUpdate(value: AccountUpdateChange['value'], opts: { badSignature?: boolean; businessId?: string; time?: number } = {}): Promise<WebhookDelivery> {
    const change = { businessId: opts.businessId ?? this.seed.partnerBusiness.id, time: opts.time ?? Math.floor(Date.now() / 1000), value };
    return this.webhooks.sendAccountUpdate(change, { badSignature: opts.badSignature });
  }

  /** A Tech Provider's app or the partner app, by ID. */
  app(appId: string): SimApp | undefined {
    if (appId === this.partnerApp.id) return this.partnerApp;
    for (const tp of this.techProvidersById.values()) {
      const app = tp.apps.find((a) => a.id === appId);
      if (app) return app;
    }
    return undefined;
  }

  selectedApps(token: SimToken & { kind: 'user' }): SimApp[] {
    const tp = this.techProvidersById.get(token.userId);
    return token.selectedAppIds.map((id) => tp?.apps.find((a) => a.id === id)).filter((a): a is SimApp => a !== undefined);
  }

  /**
   * A new solution, as `POST /{app}/whatsapp_business_solution` makes it: `INITIATED`, pending the
   * partner's accept, both sides holding what the creator chose plus the default permissions.
   * `made` describes one made elsewhere (in the dashboard, say) for tests: a draft, an active one,
   * other permissions or partners.
   */
  createSolution(
    ownerApp: SimApp,
    input: { name: string; ownerPermissions: string[]; partnerPermissions: string[] },
    made: Partial<Pick<SimSolution, 'status' | 'statusForPendingRequest' | 'partners'>> = {},
  ): SimSolution {
    let id: string;
    do id = numericId(); while (this.solutions.has(id));
    const solution: SimSolution = {
      id,
      name: input.name,
      status: 'INITIATED',
      statusForPendingRequest: 'PENDING_ACTIVATION',
      ownerApp,
      ownerPermissions: withDefaultPermissions(input.ownerPermissions),
      partners: [{ app: this.partnerApp, permissions: withDefaultPermissions(input.partnerPermissions), status: 'NOTIFICATION_SENT' }],
      createdAt: new Date().toISOString(),
      ...made,
    };
    this.solutions.set(id, solution);
    return solution;
  }

  /**
   * The invited partner app accepts, while the solution is `INITIATED`: its entry is `ACCEPTED`, and
   * once every partner accepted, the solution is `ACTIVE` (webhook `ACTIVE`).
   */
  acceptInvitation(solutionId: string, partnerAppId: string): SolutionChange {
    return this.changeSolution(solutionId, (s) => s.status === 'INITIATED' && partnerOf(s, partnerAppId) !== undefined, (s) => {
      partnerOf(s, partnerAppId)!.status = 'ACCEPTED';
      if (s.partners.every((p) => p.status === 'ACCEPTED')) {
        s.status = 'ACTIVE';
        s.statusForPendingRequest = 'NONE';
        s.acceptedAt = new Date().toISOString();
      }
    });
  }

  /**
   * An invited partner app (ours unless named) declines, while the solution is `INITIATED`, in Graph
   * or in its dashboard: its entry and the solution are `REJECTED` (webhook `REJECTED`).
   */
  rejectSolution(solutionId: string, partnerAppId = this.partnerApp.id): SolutionChange {
    return this.changeSolution(solutionId, (s) => s.status === 'INITIATED' && partnerOf(s, partnerAppId) !== undefined, (s) => {
      partnerOf(s, partnerAppId)!.status = 'REJECTED';
      s.status = 'REJECTED';
      s.statusForPendingRequest = 'NONE';
    });
  }

  /** The owner asks to deactivate an `ACTIVE` solution with no pending request (webhook `PENDING_DEACTIVATION`). */
  requestDeactivation(solutionId: string): SolutionChange {
    return this.changeSolution(solutionId, (s) => s.status === 'ACTIVE' && s.statusForPendingRequest === 'NONE', (s) => {
      s.statusForPendingRequest = 'PENDING_DEACTIVATION';
    });
  }

  /** The other party decides a pending deactivation request: accepted, `DEACTIVATED`; rejected, `ACTIVE` as before (webhook either way). */
  decideDeactivationRequest(solutionId: string, accept: boolean): SolutionChange {
    return this.changeSolution(solutionId, (s) => s.statusForPendingRequest === 'PENDING_DEACTIVATION', (s) => {
      if (accept) s.status = 'DEACTIVATED';
      s.statusForPendingRequest = 'NONE';
    });
  }

  /** Meta or the owner ends an `ACTIVE` solution outright, pending request or not (webhook `DEACTIVATED`). */
  deactivateSolution(solutionId: string): SolutionChange {
    return this.changeSolution(solutionId, (s) => s.status === 'ACTIVE', (s) => {
      s.status = 'DEACTIVATED';
      s.statusForPendingRequest = 'NONE';
    });
  }

  /**
   * Sends the `partner_solutions` webhook with the solution's current status. The Graph create call
   * announces its solution; `createSolution` itself does not, so a test's solution made elsewhere
   * (with `made`) is simply there, as if made before the subscription.
   */
  announceSolution(solution: SimSolution, event: PartnerSolutionsEvent): WebhookDelivery {
    return this.webhooks.solutionChanged({
      businessId: this.ownerBusinessId(solution.id),
      time: Math.floor(Date.now() / 1000),
      event,
      solutionId: solution.id,
      status: webhookStatus(solution),
    });
  }

  /**
   * The business portfolio owning a solution: its owner app's Tech Provider's. For an ID that is no
   * solution, or an owner app no Tech Provider holds (a test's solution made elsewhere), the first
   * Tech Provider's stands in, so that a webhook about it still has an `entry[].id`.
   */
  ownerBusinessId(solutionId: string): string {
    const ownerAppId = this.solutions.get(solutionId)?.ownerApp.id;
    const owner = [...this.techProvidersById.values()].find((tp) => tp.apps.some((a) => a.id === ownerAppId)) ?? this.techProvider();
    return owner?.businessId ?? numericId();
  }

  /** One change of a solution's state, when the state allows it; a webhook whenever its `solution_status` changed. */
  private changeSolution(solutionId: string, allowed: (s: SimSolution) => boolean, change: (s: SimSolution) => void): SolutionChange {
    const solution = this.solutions.get(solutionId);
    if (!solution) return { refused: 'unknown-solution' };
    if (!allowed(solution)) return { refused: 'not-allowed' };
    const before = webhookStatus(solution);
    change(solution);
    if (webhookStatus(solution) !== before) this.announceSolution(solution, 'SOLUTION_UPDATED');
    return { solution };
  }

  /** Records one Graph call for X-App-Usage; returns the percent of the hourly allowance used. */
  countCall(now = Date.now()): number {
    this.callTimes = this.callTimes.filter((t) => t > now - 3600_000);
    this.callTimes.push(now);
    return Math.min(100, Math.round((this.callTimes.length / this.seed.hourlyCallAllowance) * 100));
  }
}

/** The changed solution, or why the state refused the change: no such solution, or its state does not allow it. */
export type SolutionChange = { solution: SimSolution } | { refused: 'unknown-solution' | 'not-allowed' };

function partnerOf(solution: SimSolution, appId: string): SimSolutionPartner | undefined {
  return solution.partners.find((p) => p.app.id === appId);
}

function webhookStatus(solution: SimSolution): SimWebhookStatus {
  return solution.statusForPendingRequest === 'PENDING_DEACTIVATION' ? 'PENDING_DEACTIVATION' : solution.status;
}

function withDefaultPermissions(chosen: readonly string[]): string[] {
  return [...new Set([...chosen, ...DEFAULT_PERMISSIONS])];
}
