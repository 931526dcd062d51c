import { z } from 'zod';
import { classifyGraphError, GraphError, networkGraphError } from './graph-error';

export interface GraphClientOptions {
  baseUrl: string;
  version: string;
  timeoutMs: number;
  /** `me/assigned_applications` (documented prose) or `me/application_details` (documented example). */
  appListingPath: string;
  fetch?: typeof fetch;
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

export interface SolutionDetails {
  id: string;
  name: string;
  status: string;
  ownerAppId?: string;
  partnerAppId?: string;
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
  z.object({ data: z.array(item), paging: z.object({ next: z.string().optional() }).optional() });

const appSchema = z.object({ id: z.string(), name: z.string().default('') });

const solutionSchema = z.object({
  id: z.string(),
  name: z.string().default(''),
  status: z.string().default('UNKNOWN'),
  owner_app: z.object({ id: z.string() }).optional(),
  partner_app: z.object({ id: z.string() }).optional(),
});

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
const SOLUTION_FIELDS = 'id,name,status,owner_app,partner_app';

/**
 * A small `fetch`-based Graph API client. Every failure surfaces as a classified {@link GraphError};
 * no method retries on its own: the caller's event source (SQS visibility, stream retry) or the
 * Tech Provider's browser decides when to try again. Tokens travel only in the Authorization header
 * (or the `input_token` parameter `debug_token` requires) and never appear in an error message.
 */
export class GraphClient {
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: GraphClientOptions) {
    this.fetchImpl = options.fetch ?? fetch;
  }

  async debugToken(inputToken: string, appToken: string): Promise<TokenDebugInfo> {
    const body = debugTokenSchema.parse(await this.request('GET', 'debug_token', appToken, { query: { input_token: inputToken } }));
    const d = body.data;
    return { appId: d.app_id ?? '', isValid: d.is_valid, userId: d.user_id, scopes: d.scopes, expiresAt: d.expires_at, error: d.error };
  }

  /** The apps the Tech Provider selected in the login dialog, all pages followed. */
  async listSelectedApps(userToken: string): Promise<TechProviderApp[]> {
    return this.listAll(this.options.appListingPath, {}, userToken, appSchema);
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
    return z.object({ solution_id: z.string() }).parse(body).solution_id;
  }

  async acceptSolution(solutionId: string, systemUserToken: string): Promise<void> {
    const body = await this.request('POST', `${encodeURIComponent(solutionId)}/accept`, systemUserToken, { json: {} });
    if (!z.object({ success: z.literal(true) }).safeParse(body).success) {
      throw new GraphError('transient', { code: -1, message: 'Graph accept did not report success' }, 200);
    }
  }

  async getSolution(solutionId: string, token: string): Promise<SolutionDetails> {
    return toSolutionDetails(solutionSchema.parse(await this.request('GET', encodeURIComponent(solutionId), token)));
  }

  async listAppSolutions(appId: string, role: 'OWNER' | 'PARTNER', token: string): Promise<SolutionDetails[]> {
    // Named fields: recovery depends on partner_app, which a default field set might leave out.
    const query = { role, fields: SOLUTION_FIELDS };
    const solutions = await this.listAll(`${encodeURIComponent(appId)}/whatsapp_business_solutions`, query, token, solutionSchema);
    return solutions.map(toSolutionDetails);
  }

  private async listAll<T extends z.ZodType>(path: string, query: Record<string, string>, token: string, item: T): Promise<z.infer<T>[]> {
    const items: z.infer<T>[] = [];
    let next: string | undefined = this.url(path, query);
    for (let page = 0; next; page++) {
      // A listing longer than this is not one we can act on safely (nor a paging loop we should follow).
      if (page === MAX_PAGES) throw new GraphError('permanent', { code: -1, message: `Graph listing ${path} exceeds ${MAX_PAGES} pages` }, 200);
      const body = pageSchema(item).parse(await this.send('GET', next, token));
      items.push(...body.data);
      next = body.paging?.next;
      // The token goes with every page: never to another origin than the configured Graph API.
      if (next && new URL(next).origin !== new URL(this.options.baseUrl).origin) {
        throw new GraphError('permanent', { code: -1, message: `Graph paging link leaves ${new URL(this.options.baseUrl).origin}` }, 200);
      }
    }
    return items;
  }

  private url(path: string, query: Record<string, string> = {}): string {
    const url = new URL(`${this.options.baseUrl.replace(/\/$/, '')}/${this.options.version}/${path}`);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    return url.toString();
  }

  private request(
    method: 'GET' | 'POST',
    path: string,
    token: string,
    opts: { query?: Record<string, string>; json?: unknown } = {},
  ): Promise<unknown> {
    return this.send(method, this.url(path, opts.query), token, opts.json);
  }

  private async send(method: 'GET' | 'POST', url: string, token: string, json?: unknown): Promise<unknown> {
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(json === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: json === undefined ? undefined : JSON.stringify(json),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      // AbortSignal.timeout rejects with a DOMException named TimeoutError (not always an Error instance).
      const reason = (error as { name?: unknown } | null)?.name === 'TimeoutError' ? `timed out after ${this.options.timeoutMs} ms` : 'connection failed';
      throw networkGraphError(`Graph API ${method} ${new URL(url).pathname} ${reason}`);
    }
    const text = await response.text();
    const body = parseJson(text);
    if (response.ok && body !== undefined) return body;
    throw toGraphError(response.status, body, retryAfterSeconds(response.headers));
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * How long Graph asks us to wait: `Retry-After`, or the longest `estimated_time_to_regain_access`
 * (minutes) in `X-Business-Use-Case-Usage` (shared/graph-api.md § Errors).
 */
function retryAfterSeconds(headers: Headers): number | undefined {
  const retryAfter = Number(headers.get('retry-after'));
  if (Number.isFinite(retryAfter) && retryAfter > 0) return retryAfter;
  const usage = parseJson(headers.get('x-business-use-case-usage') ?? '');
  if (typeof usage !== 'object' || usage === null) return undefined;
  const minutes = Object.values(usage)
    .flat()
    .map((entry) => Number((entry as { estimated_time_to_regain_access?: unknown } | null)?.estimated_time_to_regain_access))
    .filter((m) => Number.isFinite(m) && m > 0);
  return minutes.length > 0 ? Math.max(...minutes) * 60 : undefined;
}

function toGraphError(httpStatus: number, body: unknown, retryAfter: number | undefined): GraphError {
  const parsed = errorBodySchema.safeParse(body);
  if (!parsed.success) {
    // No Graph error envelope (a proxy page, a truncated body): classify by status alone.
    const errorClass = httpStatus >= 200 && httpStatus < 300 ? 'transient' : classifyGraphError(httpStatus, -1, false);
    return new GraphError(errorClass, { code: -1, message: `Graph API answered HTTP ${httpStatus} without a JSON error body` }, httpStatus);
  }
  const e = parsed.data.error;
  const errorClass = classifyGraphError(httpStatus, e.code, e.is_transient ?? false);
  return new GraphError(
    errorClass,
    { code: e.code, subcode: e.error_subcode, message: e.message, fbtraceId: e.fbtrace_id },
    httpStatus,
    errorClass === 'throttled' ? retryAfter : undefined,
  );
}

function toSolutionDetails(s: z.infer<typeof solutionSchema>): SolutionDetails {
  return { id: s.id, name: s.name, status: s.status, ownerAppId: s.owner_app?.id, partnerAppId: s.partner_app?.id };
}
