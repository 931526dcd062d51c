import type { GraphOperation } from './controls';
import { errors, type SimResponse } from './graph-errors';
import { PERMISSIONS, SOLUTION_NAME_MAX_LENGTH, type GraphSimulatorState, type SimSolution, type SimToken } from './state';

export interface GraphRequest {
  method: string;
  /** Path after the version prefix, without leading slash: `me/assigned_applications`. */
  path: string;
  query: URLSearchParams;
  body: unknown;
  token: SimToken | undefined;
  /** A token was presented, known or not. */
  presentedToken: boolean;
  /** Base URL of this request, for `paging.next`. */
  selfUrl: URL;
}

const APP_LISTING_PATHS = new Set(['me/assigned_applications', 'me/application_details']);

/** Which pipeline call a request is, and the app or solution it is about (for fault rules). */
export function graphOperation(method: string, path: string): { operation: GraphOperation; objectId?: string } | undefined {
  if (method === 'GET' && path === 'debug_token') return { operation: 'debug_token' };
  if (method === 'GET' && APP_LISTING_PATHS.has(path)) return { operation: 'list_apps' };
  const [objectId, edge, ...rest] = path.split('/').filter(Boolean);
  if (!objectId || rest.length > 0) return undefined;
  if (method === 'POST' && edge === 'whatsapp_business_solution') return { operation: 'create_solution', objectId };
  if (method === 'POST' && edge === 'accept') return { operation: 'accept_solution', objectId };
  if (method === 'GET' && edge === 'whatsapp_business_solutions') return { operation: 'list_solutions', objectId };
  if (method === 'GET' && edge === undefined) return { operation: 'read_solution', objectId };
  return undefined;
}

/** The Graph endpoints the pipeline calls (shared/graph-api.md § Endpoints). */
export function handleGraphRequest(state: GraphSimulatorState, req: GraphRequest): SimResponse {
  const segments = req.path.split('/').filter(Boolean);

  if (req.method === 'GET' && req.path === 'debug_token') return debugToken(state, req);

  const auth = authenticate(state, req);
  if ('status' in auth) return auth;
  const token = auth.token;

  if (req.method === 'GET' && APP_LISTING_PATHS.has(req.path)) {
    if (token.kind !== 'user') return errors.badParameter('An active user access token must be used to query information about the current user.');
    return page(req, state.selectedApps(token).map((a) => ({ id: a.id, name: a.name, link: `https://www.facebook.com/games/?app_id=${a.id}` })), state.seed.pageSize);
  }
  const [objectId, edge, ...rest] = segments;
  if (!objectId || rest.length > 0) return errors.unknownPath();

  if (req.method === 'POST' && edge === 'whatsapp_business_solution') return createSolution(state, token, objectId, req.body);
  if (req.method === 'POST' && edge === 'accept') return acceptSolution(state, token, objectId);
  if (req.method === 'GET' && edge === 'whatsapp_business_solutions') return listAppSolutions(state, token, objectId, req);
  if (req.method === 'GET' && edge === undefined) {
    const solution = state.solutions.get(objectId);
    if (!solution || !canSee(token, solution)) return errors.unknownPath();
    return { status: 200, body: solutionView(solution) };
  }
  return errors.unknownPath();
}

function authenticate(state: GraphSimulatorState, req: GraphRequest): SimResponse | { token: SimToken } {
  if (!req.presentedToken) return errors.noToken();
  if (!req.token) return errors.invalidToken();
  if (state.isExpired(req.token)) return errors.expiredToken();
  return { token: req.token };
}

function debugToken(state: GraphSimulatorState, req: GraphRequest): SimResponse {
  // debug_token must be called with our app token (or a token of our app); anything else is refused.
  if (!req.presentedToken) return errors.noToken();
  if (!req.token || req.token.kind !== 'app') return errors.invalidToken();
  const input = state.resolveToken(req.query.get('input_token') ?? undefined);
  if (!input) {
    return { status: 200, body: { data: { is_valid: false, scopes: [], error: { code: 190, subcode: 467, message: 'Invalid OAuth access token.' } } } };
  }
  if (input.kind !== 'user') {
    return { status: 200, body: { data: { app_id: input.appId, type: input.kind === 'app' ? 'APP' : 'SYSTEM_USER', is_valid: true, scopes: [] } } };
  }
  const expired = state.isExpired(input);
  return {
    status: 200,
    body: {
      data: {
        app_id: input.appId,
        type: 'USER',
        application: state.partnerApp.name,
        is_valid: !expired,
        expires_at: input.expiresAt,
        data_access_expires_at: input.expiresAt + 90 * 86400,
        scopes: input.scopes,
        granular_scopes: input.scopes.map((scope) => (scope === 'manage_app_solution' ? { scope, target_ids: input.selectedAppIds } : { scope })),
        user_id: input.userId,
        ...(expired ? { error: { code: 190, subcode: 463, message: 'Session has expired.' } } : {}),
      },
    },
  };
}

function createSolution(state: GraphSimulatorState, token: SimToken, appId: string, body: unknown): SimResponse {
  if (token.kind !== 'user') return errors.permission('The solution owner must create the solution with a user access token.');
  if (!token.scopes.includes('manage_app_solution')) return errors.permission('Requires manage_app_solution permission to manage the object');
  const ownerApp = state.selectedApps(token).find((a) => a.id === appId);
  if (!ownerApp) return errors.permission('The user has not granted access to this app.');

  const b = (body ?? {}) as Record<string, unknown>;
  const ownerPermissions = b.owner_permissions;
  const partnerPermissions = b.partner_permissions;
  const name = b.solution_name;
  if (b.partner_app_id !== state.partnerApp.id) return errors.badParameter('Param partner_app_id must be a valid partner app ID');
  if (!isPermissionList(ownerPermissions)) return errors.badParameter('Param owner_permissions must be an array of valid permissions');
  if (!isPermissionList(partnerPermissions)) return errors.badParameter('Param partner_permissions must be an array of valid permissions');
  if (ownerPermissions.includes('MESSAGING') === partnerPermissions.includes('MESSAGING')) {
    return errors.badParameter('Exactly one of the solution owner and the partner must have the MESSAGING permission');
  }
  if (typeof name !== 'string' || name.trim().length === 0 || name.length > SOLUTION_NAME_MAX_LENGTH) {
    return errors.badParameter(`Param solution_name must be a non-empty string of at most ${SOLUTION_NAME_MAX_LENGTH} characters`);
  }
  const solution = state.createSolution(ownerApp, { name, ownerPermissions, partnerPermissions });
  return { status: 200, body: { solution_id: solution.id } };
}

function acceptSolution(state: GraphSimulatorState, token: SimToken, solutionId: string): SimResponse {
  const solution = state.solutions.get(solutionId);
  if (!solution) return errors.unknownPath();
  if (token.kind !== 'system-user' || token.appId !== solution.partnerApp.id) {
    return errors.permission('Only the invited partner app can accept this solution');
  }
  if (solution.status !== 'INITIATED') return errors.badParameter(`The solution cannot be accepted in its current status ${solution.status}`);
  solution.status = 'ACTIVE';
  solution.acceptedAt = new Date().toISOString();
  return { status: 200, body: { success: true } };
}

function listAppSolutions(state: GraphSimulatorState, token: SimToken, appId: string, req: GraphRequest): SimResponse {
  const role = req.query.get('role') ?? 'OWNER';
  if (role !== 'OWNER' && role !== 'PARTNER') return errors.badParameter('Param role must be one of {OWNER, PARTNER}');
  const mayRead = token.kind === 'user' ? token.selectedAppIds.includes(appId) : token.appId === appId;
  if (!mayRead) return errors.permission('The token cannot read this app');
  const solutions = [...state.solutions.values()].filter((s) => (role === 'OWNER' ? s.ownerApp.id : s.partnerApp.id) === appId);
  return page(req, solutions.map(solutionView), state.seed.pageSize);
}

function canSee(token: SimToken, solution: SimSolution): boolean {
  if (token.kind === 'user') return token.selectedAppIds.includes(solution.ownerApp.id);
  return token.appId === solution.partnerApp.id;
}

function solutionView(s: SimSolution) {
  return {
    id: s.id,
    name: s.name,
    status: s.status,
    status_for_pending_request: s.status === 'INITIATED' ? 'NOTIFICATION_SENT' : s.status === 'ACTIVE' ? 'ACCEPTED' : s.status,
    owner_app: { id: s.ownerApp.id, name: s.ownerApp.name },
    owner_permissions: s.ownerPermissions,
    partner_app: { id: s.partnerApp.id, name: s.partnerApp.name },
    partner_permissions: s.partnerPermissions,
  };
}

function isPermissionList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((p) => (PERMISSIONS as readonly unknown[]).includes(p));
}

/** Cursor paging as Graph does it: `paging.cursors` always, `paging.next` while more remain. */
function page<T>(req: GraphRequest, items: T[], pageSize: number): SimResponse {
  const start = Number.parseInt(Buffer.from(req.query.get('after') ?? '', 'base64url').toString() || '0', 10) || 0;
  const data = items.slice(start, start + pageSize);
  const end = start + data.length;
  const cursor = (n: number) => Buffer.from(String(n)).toString('base64url');
  let next: string | undefined;
  if (end < items.length) {
    const url = new URL(req.selfUrl);
    url.searchParams.set('after', cursor(end));
    next = url.toString();
  }
  return { status: 200, body: { data, paging: { cursors: { before: cursor(start), after: cursor(end) }, ...(next ? { next } : {}) } } };
}
