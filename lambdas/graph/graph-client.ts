import { z } from 'zod';
import { classifyGraphError, GraphError, networkGraphError, unexpectedAnswerGraphError, type GraphErrorDetails } from './graph-error';
import { SCHEDULE } from '../schedule';
import { GraphPacer } from './graph-pacer';
import { readUsage } from './graph-usage';

export interface GraphClientOptions {
  baseUrl: string;
  version: string;
  timeoutMs: number;
  /** `me/assigned_applications` (documented prose) or `me/application_details` (documented example). */
  appListingPath: string;
  fetch?: typeof fetch;
  /** Paces every call to Graph's usage headers; by default one per client, so one per function instance. */
  pacer?: GraphPacer;
}

export interface TechProviderApp {
  id: string;
  name: string;
}

export interface TokenDebugInfo {
  appId: string;
  isValid: boolean;
  userId?: string;
  scopes: string[];
  /** Unix seconds; 0 means the token does not expire. */
  expiresAt?: number;
  error?: { code: number; subcode?: number; message: string };
}

export interface CreateSolutionRequest {
  ownerPermissions: string[];
  partnerAppId: string;
  partnerPermissions: string[];
  solutionName: string;
}

/** The solution states the pipeline decides on (docs/graph-api.md § Solution details). */
export const SOLUTION_STATUS = {
  /** Not yet sent to its partners: it invites no one. */
  draft: 'DRAFT',
  /** Sent, waiting for the partners' accept. */
  initiated: 'INITIATED',
  /** Every partner accepted. */
  active: 'ACTIVE',
  /** A partner declined it. */
  rejected: 'REJECTED',
  /** Ended, after a deactivation request was accepted (or by Meta). */
  deactivated: 'DEACTIVATED',
} as const;

/** `status_for_pending_request` of an ACTIVE solution whose owner asked to deactivate it. */
export const PENDING_DEACTIVATION = 'PENDING_DEACTIVATION';

/** One entry of a solution's `partners` edge. */
export interface SolutionPartner {
  appId: string;
  /** Only where the call asked for it (the details call). */
  permissions?: string[];
  /** e.g. `ACCEPTED`; other values are not documented. */
  status?: string;
}

/** A solution as Graph describes it (docs/graph-api.md § Solution details). */
export interface SolutionDetails {
  id: string;
  name: string;
  /** `DRAFT`, `INITIATED`, `ACTIVE`, `REJECTED` or `DEACTIVATED` (kept as Graph says it). */
  status: string;
  /** `PENDING_ACTIVATION`, `PENDING_DEACTIVATION` or `NONE`. */
  statusForPendingRequest?: string;
  ownerAppId: string;
  ownerPermissions?: string[];
  /** The `partners` edge; empty only for a draft, which invites no one yet. */
  partners: SolutionPartner[];
}

const errorBodySchema = z.object({
  error: z.object({
    message: z.string().default('Unknown Graph API error'),
    code: z.number().default(-1),
    error_subcode: z.number().optional(),
    fbtrace_id: z.string().optional(),
    is_transient: z.boolean().optional(),
  }),
});

const pageSchema = <T extends z.ZodType>(item: T) =>
  z.object({ data: z.array(item), paging: z.object({ next: z.string().optional(), cursors: z.object({ after: z.string().optional() }).optional() }).optional() });

/** One page of a listing: its items, the cursor after them, and whether Graph has more. */
export interface ListingPage<T> {
  items: T[];
  after?: string;
  more: boolean;
}

const appSchema = z.object({ id: z.string(), name: z.string().default('') });

/**
 * A solution node. What a decision rests on (identity, name, status, owner, partners) must be there;
 * what is only carried along may be missing, never of another type. A solution past DRAFT always
 * has partners: an answer without them is not one to match on.
 */
const solutionSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    status: z.string(),
    status_for_pending_request: z.string().optional(),
    owner_app: z.object({ id: z.string() }),
    owner_permissions: z.array(z.string()).optional(),
    partners: z
      .object({
        data: z.array(z.object({ partner_app: z.object({ id: z.string() }), partner_permissions: z.array(z.string()).optional(), status: z.string().optional() })),
      })
      .optional(),
  })
  .refine((s) => s.partners !== undefined || s.status === SOLUTION_STATUS.draft, { message: 'a solution past DRAFT without its partners', path: ['partners'] });

/**
 * The details call's answer: the owner's permissions are what the check before accepting compares,
 * so they must be there (the listing does not ask for them). Our own partner entry's are checked
 * where our app is known (domain/accept-solution.ts).
 */
const solutionDetailsSchema = solutionSchema.refine((s) => s.owner_permissions !== undefined, { message: 'a solution without its owner_permissions', path: ['owner_permissions'] });

const solutionStateSchema = z.object({ status: z.string(), status_for_pending_request: z.string().optional() });

/** A solution call's answer (accept, reject, the deactivation decisions); beyond `success`, its fields are not needed. */
export const successSchema = z.object({ success: z.literal(true) });

const debugTokenSchema = z.object({
  data: z.object({
    app_id: z.string().optional(),
    is_valid: z.boolean(),
    user_id: z.string().optional(),
    scopes: z.array(z.string()).default([]),
    expires_at: z.number().optional(),
    error: z.object({ code: z.number(), subcode: z.number().optional(), message: z.string() }).optional(),
  }),
});

/** Upper bound on pages followed for one listing, so a paging loop can never run away. */
const MAX_PAGES = 50;
/**
 * Every solution that invites our app, across all Tech Providers, grows with the business: the
 * reconciler's lookup follows up to this many pages (100 solutions each on Graph).
 */
const MAX_PARTNER_PAGES = 1_000;
/** Graph's largest page (docs/graph-api.md: solution listings default to 25 and go up to 100). */
export const PAGE_LIMIT = '100';
/** The details call with every documented field and the partners edge (docs/graph-api.md, verbatim). */
const SOLUTION_DETAILS_FIELDS = 'id,name,status,status_for_pending_request,owner_app,owner_permissions,partners{partner_app,partner_permissions,status}';
/** Where a solution stands, for the lifecycle poll. */
const SOLUTION_STATE_FIELDS = 'id,status,status_for_pending_request';
/** What matching a listed solution needs: identity, state, owner and who it invites. */
const SOLUTION_LISTING_FIELDS = 'id,name,status,status_for_pending_request,owner_app,partners{partner_app}';

/**
 * A small `fetch`-based Graph API client. Every failure surfaces as a classified {@link GraphError};
 * no method retries on its own: the caller's event source (SQS visibility, stream retry) or the
 * Tech Provider's browser decides when to try again. Tokens travel only in the Authorization header
 * (or the `input_token` parameter `debug_token` requires) and never appear in an error message.
 */
export class GraphClient {
  private readonly fetchImpl: typeof fetch;
  private readonly pacer: GraphPacer;

  constructor(protected readonly options: GraphClientOptions) {
    this.fetchImpl = options.fetch ?? fetch;
    // A call waits for its turn at most as long as it may wait for its answer.
    this.pacer = options.pacer ?? new GraphPacer({ ...SCHEDULE.graphPacing, maxWaitMs: Math.min(SCHEDULE.graphPacing.maxWaitMs, options.timeoutMs) });
  }

  /** `signal` (here and on the listing) ends the call early: the caller's own deadline. */
  async debugToken(inputToken: string, appToken: string, signal?: AbortSignal): Promise<TokenDebugInfo> {
    const body = parseAnswer(debugTokenSchema, await this.request('GET', 'debug_token', appToken, { query: { input_token: inputToken }, signal }), 'GET debug_token');
    const d = body.data;
    return { appId: d.app_id ?? '', isValid: d.is_valid, userId: d.user_id, scopes: d.scopes, expiresAt: d.expires_at, error: d.error };
  }

  /**
   * The apps the Tech Provider selected in the login dialog, all pages followed; with `atMost`, the
   * listing stops as soon as it holds more than that and answers `atMost + 1` apps: enough for the
   * caller to know there are too many, without reading the rest.
   */
  async listSelectedApps(userToken: string, options: { signal?: AbortSignal; atMost?: number } = {}): Promise<TechProviderApp[]> {
    const { signal, atMost } = options;
    // Each page that is not empty brings an app, so `atMost + 1` pages always show "too many": the
    // page cap can then only stop a paging loop, never turn too many apps into an error.
    const maxPages = atMost === undefined ? MAX_PAGES : Math.max(MAX_PAGES, atMost + 1);
    return this.listAll(this.options.appListingPath, { limit: PAGE_LIMIT }, userToken, appSchema, signal, maxPages, atMost);
  }

  async createSolution(techProviderAppId: string, request: CreateSolutionRequest, userToken: string): Promise<string> {
    const body = await this.request('POST', `${encodeURIComponent(techProviderAppId)}/whatsapp_business_solution`, userToken, {
      json: {
        owner_permissions: request.ownerPermissions,
        partner_app_id: request.partnerAppId,
        partner_permissions: request.partnerPermissions,
        solution_name: request.solutionName,
      },
    });
    return parseAnswer(z.object({ solution_id: z.string() }), body, 'POST whatsapp_business_solution').solution_id;
  }

  /** Accepts as `partnerAppId` (the reference requires it in the body) with its system-user token. */
  async acceptSolution(solutionId: string, partnerAppId: string, systemUserToken: string): Promise<void> {
    const body = await this.request('POST', `${encodeURIComponent(solutionId)}/accept`, systemUserToken, { json: { partner_app_id: partnerAppId } });
    parseAnswer(successSchema, body, 'POST accept');
  }

  /**
   * Declines a solution that invites us, while it awaits our answer (docs/graph-api.md "Other solution
   * calls"; not possible once accepted).
   */
  async rejectSolution(solutionId: string, systemUserToken: string): Promise<void> {
    parseAnswer(successSchema, await this.request('POST', `${encodeURIComponent(solutionId)}/reject`, systemUserToken), 'POST reject');
  }

  /** Our answer to the owner's request to deactivate an ACTIVE solution: accepted, it is DEACTIVATED; declined, it stays ACTIVE. */
  async decideDeactivationRequest(solutionId: string, decision: 'accept' | 'reject', systemUserToken: string): Promise<void> {
    const edge = `${decision}_deactivation_request`;
    parseAnswer(successSchema, await this.request('POST', `${encodeURIComponent(solutionId)}/${edge}`, systemUserToken), `POST ${edge}`);
  }

  /** The solution with every documented field and its partners; the owner's permissions must be there. */
  async getSolution(solutionId: string, token: string): Promise<SolutionDetails> {
    const body = await this.request('GET', encodeURIComponent(solutionId), token, { query: { fields: SOLUTION_DETAILS_FIELDS } });
    return toSolutionDetails(parseAnswer(solutionDetailsSchema, body, 'GET solution'));
  }

  /** Only where the solution stands: `status` and `status_for_pending_request` (the lifecycle poll). */
  async getSolutionState(solutionId: string, token: string): Promise<{ status: string; statusForPendingRequest?: string }> {
    const body = await this.request('GET', encodeURIComponent(solutionId), token, { query: { fields: SOLUTION_STATE_FIELDS } });
    const state = parseAnswer(solutionStateSchema, body, 'GET solution');
    return { status: state.status, statusForPendingRequest: state.status_for_pending_request };
  }

  /**
   * An app's solutions: as owner with the Tech Provider's token on its app, or, with our
   * system-user token on our own app, every solution that invites us (`PARTNER`).
   */
  async listAppSolutions(appId: string, role: 'OWNER' | 'PARTNER', token: string, signal?: AbortSignal): Promise<SolutionDetails[]> {
    const query = { role, fields: SOLUTION_LISTING_FIELDS, limit: PAGE_LIMIT };
    const maxPages = role === 'PARTNER' ? MAX_PARTNER_PAGES : MAX_PAGES;
    const solutions = await this.listAll(`${encodeURIComponent(appId)}/whatsapp_business_solutions`, query, token, solutionSchema, signal, maxPages);
    return solutions.map(toSolutionDetails);
  }

  protected async listAll<T extends z.ZodType>(
    path: string,
    query: Record<string, string>,
    token: string,
    item: T,
    signal?: AbortSignal,
    maxPages = MAX_PAGES,
    /** Stop once more than this many are in (the pages after are never fetched) and answer `atMost + 1`. */
    atMost = Number.POSITIVE_INFINITY,
  ): Promise<z.infer<T>[]> {
    const items: z.infer<T>[] = [];
    for await (const page of this.pages(path, query, token, item, signal, maxPages)) {
      items.push(...page.items);
      if (items.length > atMost) return items.slice(0, atMost + 1);
    }
    return items;
  }

  /** A listing page by page, as far as the reader goes (a bounded pass stops early); `maxPages` more is an error. */
  protected async *pages<T extends z.ZodType>(path: string, query: Record<string, string>, token: string, item: T, signal?: AbortSignal, maxPages = MAX_PAGES): AsyncGenerator<ListingPage<z.infer<T>>> {
    let next: string | undefined = this.url(path, query);
    for (let page = 0; next; page++) {
      // A listing longer than this is not one we can act on safely (nor a paging loop we should follow).
      if (page === maxPages) throw new GraphError('permanent', { code: -1, message: `Graph listing ${path} exceeds ${maxPages} pages` }, 200);
      const body: { data: z.infer<T>[]; paging?: { next?: string; cursors?: { after?: string } } } = parseAnswer(pageSchema(item), await this.send('GET', next, token, undefined, signal), `GET ${path}`);
      next = body.paging?.next;
      // The token goes with every page: never to another origin than the configured Graph API.
      if (next && new URL(next).origin !== new URL(this.options.baseUrl).origin) {
        throw new GraphError('permanent', { code: -1, message: `Graph paging link leaves ${new URL(this.options.baseUrl).origin}` }, 200);
      }
      yield { items: body.data, after: body.paging?.cursors?.after, more: next !== undefined };
    }
  }

  protected url(path: string, query: Record<string, string> = {}): string {
    const url = new URL(`${this.options.baseUrl.replace(/\/$/, '')}/${this.options.version}/${path}`);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    return url.toString();
  }

  protected request(
    method: 'GET' | 'POST',
    path: string,
    token: string,
    opts: { query?: Record<string, string>; json?: unknown; signal?: AbortSignal } = {},
  ): Promise<unknown> {
    return this.send(method, this.url(path, opts.query), token, opts.json, opts.signal);
  }

  protected async send(method: 'GET' | 'POST', url: string, token: string, json?: unknown, signal?: AbortSignal): Promise<unknown> {
    const turn = await this.pacer.beforeCall(token, signal);
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await this.fetchImpl(url, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(json === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: json === undefined ? undefined : JSON.stringify(json),
        signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
      });
      // The body can be cut off too (a timeout, a reset): still no answer.
      text = await response.text();
    } catch {
      const reason = signal?.aborted ? "was cut off at the caller's deadline" : timeout.aborted ? `timed out after ${this.options.timeoutMs} ms` : 'connection failed';
      throw networkGraphError(`Graph API ${method} ${new URL(url).pathname} ${reason}`);
    }
    const body = parseJson(text);
    const usage = readUsage(response.headers);
    if (!response.ok) {
      // The tokens this call carried: the bearer, and the token `debug_token` inspects.
      const tokens = [token, new URL(url).searchParams.get('input_token') ?? ''];
      const error = toGraphError(response.status, body, tokens);
      if (error.errorClass !== 'throttled') {
        turn.answered(usage);
        throw error;
      }
      // Graph's estimate when it gives one; otherwise the hold the pacer now keeps.
      throw new GraphError(error.errorClass, error.details, error.httpStatus, turn.answered(usage, error.details.code));
    }
    turn.answered(usage);
    if (body === undefined) throw unexpectedAnswerGraphError(`Graph answered ${method} ${new URL(url).pathname} with HTTP ${response.status} and a body that is not JSON`);
    return body;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function toGraphError(httpStatus: number, body: unknown, tokens: string[]): GraphError {
  const parsed = errorBodySchema.safeParse(body);
  if (!parsed.success) {
    // No Graph error envelope (a proxy page, a truncated body): classify by status alone.
    return new GraphError(classifyGraphError(httpStatus, -1, false), { code: -1, message: `Graph API answered HTTP ${httpStatus} without a JSON error body` }, httpStatus);
  }
  const e = parsed.data.error;
  const errorClass = classifyGraphError(httpStatus, e.code, e.is_transient ?? false);
  return new GraphError(errorClass, screened({ code: e.code, subcode: e.error_subcode, message: e.message, fbtraceId: e.fbtrace_id }, tokens), httpStatus);
}

/**
 * What we keep of Graph's error is stored, shown on the status page, logged and printed by ops: every
 * string in it is screened alike, so a field kept later is screened without a second thought.
 */
function screened(details: GraphErrorDetails, tokens: string[]): GraphErrorDetails {
  const entries = Object.entries(details).map(([field, value]) => [field, typeof value === 'string' ? withoutTokens(value, field, tokens) : value]);
  return Object.fromEntries(entries) as GraphErrorDetails;
}

/** Shortest run of a token that counts as quoting it. */
const TOKEN_RUN = 8;
/** Facebook access tokens (user and system-user) start with EAA. */
const ACCESS_TOKEN_PATTERN = /EAA[A-Za-z0-9_-]{5,}/g;

/**
 * Graph's messages may quote the token they refuse ("Malformed access token EAA…"), and so may any
 * other field of its error (a trace id, say): the token and anything shaped like one is cut out, and
 * a field that still quotes a run of a token is withheld whole.
 */
function withoutTokens(text: string, field: string, tokens: string[]): string {
  const cut = tokens.filter((t) => t.length > 0).reduce((m, t) => m.split(t).join('[token]'), text).replace(ACCESS_TOKEN_PATTERN, '[token]');
  const quotes = (t: string) => Array.from({ length: t.length - TOKEN_RUN + 1 }, (_, i) => t.slice(i, i + TOKEN_RUN)).some((run) => cut.includes(run));
  return tokens.some((t) => t.length >= TOKEN_RUN && quotes(t)) ? `Graph API error (its ${field} quoted an access token and is withheld)` : cut;
}

/** An answer that is not the documented shape is a classified error, never a crash or a guess. */
export function parseAnswer<T extends z.ZodType>(schema: T, body: unknown, what: string): z.infer<T> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  // Paths and zod's wording only: never a value from the answer.
  const problems = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(answer)'}: ${i.message}`);
  throw unexpectedAnswerGraphError(`Graph answered ${what} in an unexpected shape (${problems.join('; ')})`);
}

function toSolutionDetails(s: z.infer<typeof solutionSchema>): SolutionDetails {
  return {
    id: s.id,
    name: s.name,
    status: s.status,
    statusForPendingRequest: s.status_for_pending_request,
    ownerAppId: s.owner_app.id,
    ownerPermissions: s.owner_permissions,
    partners: (s.partners?.data ?? []).map((p) => ({ appId: p.partner_app.id, permissions: p.partner_permissions, status: p.status })),
  };
}
