import type { GraphOperation } from './controls';
import { FieldSyntaxError, parseFields, type FieldSelection } from './field-selection';
import { errors, type SimResponse } from './graph-errors';
import { APPLICATION, FieldRequestError, nonexistingField, planFields, renderNode, SOLUTION } from './graph-nodes';
import { page } from './paging';
import {
  acceptSolution,
  createSolution,
  decideDeactivationRequest,
  listAppSolutions,
  listSolutionPartners,
  readSolution,
  rejectSolution,
  sendDeactivationRequest,
  type SolutionCall,
} from './solution-routes';
import type { GraphSimulatorState, SimToken } from './state';

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
/** An app in the Tech Provider's listing answers `{id, name, link}` unless asked otherwise. */
const LISTED_APP_DEFAULTS = ['id', 'name', 'link'] as const;

/** The calls on `/{object id}/{edge}`, by method and edge ('' for the object itself), and the node they are on. */
const OBJECT_ROUTES: Record<string, { operation: GraphOperation; on: 'app' | 'solution'; handle: (call: SolutionCall) => SimResponse }> = {
  'POST whatsapp_business_solution': { operation: 'create_solution', on: 'app', handle: createSolution },
  'POST accept': { operation: 'accept_solution', on: 'solution', handle: acceptSolution },
  'POST reject': { operation: 'reject_solution', on: 'solution', handle: rejectSolution },
  'POST send_deactivation_request': { operation: 'send_deactivation_request', on: 'solution', handle: sendDeactivationRequest },
  'POST accept_deactivation_request': { operation: 'accept_deactivation_request', on: 'solution', handle: decideDeactivationRequest(true) },
  'POST reject_deactivation_request': { operation: 'reject_deactivation_request', on: 'solution', handle: decideDeactivationRequest(false) },
  'GET ': { operation: 'read_solution', on: 'solution', handle: readSolution },
  'GET partners': { operation: 'list_solution_partners', on: 'solution', handle: listSolutionPartners },
  'GET whatsapp_business_solutions': { operation: 'list_solutions', on: 'app', handle: listAppSolutions },
};

/** `/{object id}` or `/{object id}/{edge}`, and the route for it if there is one. */
function objectCall(method: string, path: string) {
  const [objectId, edge = '', ...rest] = path.split('/').filter(Boolean);
  return objectId && rest.length === 0 ? { objectId, edge, route: OBJECT_ROUTES[`${method} ${edge}`] } : undefined;
}

/** Graph reads `GET /{id}/{edge}` as a field of the node: an edge the node does not have is Graph's `(#100)`. */
function unknownEdge(state: GraphSimulatorState, method: string, { objectId, edge, route }: NonNullable<ReturnType<typeof objectCall>>): SimResponse | undefined {
  if (method !== 'GET' || !edge) return undefined;
  const on = state.solutions.has(objectId) ? 'solution' : state.app(objectId) ? 'app' : undefined;
  if (!on || route?.on === on) return undefined;
  return errors.badParameter(nonexistingField(edge, on === 'solution' ? SOLUTION : APPLICATION));
}

/** Which pipeline call a request is, and the app or solution it is about (for fault rules). */
export function graphOperation(method: string, path: string): { operation: GraphOperation; objectId?: string } | undefined {
  if (method === 'GET' && path === 'debug_token') return { operation: 'debug_token' };
  if (method === 'GET' && APP_LISTING_PATHS.has(path)) return { operation: 'list_apps' };
  const call = objectCall(method, path);
  return call?.route && { operation: call.route.operation, objectId: call.objectId };
}

/** The Graph endpoints of docs/graph-api.md, with Graph's `(#100)` for fields a node does not have. */
export function handleGraphRequest(state: GraphSimulatorState, req: GraphRequest): SimResponse {
  try {
    return answer(state, req);
  } catch (error) {
    if (error instanceof FieldSyntaxError || error instanceof FieldRequestError) return errors.badParameter(error.message);
    throw error;
  }
}

function answer(state: GraphSimulatorState, req: GraphRequest): SimResponse {
  if (req.method === 'GET' && req.path === 'debug_token') return debugToken(state, req);

  const auth = authenticate(state, req);
  if ('status' in auth) return auth;
  const { token } = auth;
  const fields = requestedFields(req.query);

  if (req.method === 'GET' && APP_LISTING_PATHS.has(req.path)) {
    if (token.kind !== 'user') return errors.badParameter('An active user access token must be used to query information about the current user.');
    const plan = planFields(APPLICATION, fields, LISTED_APP_DEFAULTS);
    return page(req.query, req.selfUrl, state.selectedApps(token).map((a) => renderNode(plan, a)), state.maxPageSize());
  }
  const call = objectCall(req.method, req.path);
  if (!call) return errors.unknownPath();
  const misread = unknownEdge(state, req.method, call);
  if (misread) return misread;
  if (!call.route) return errors.unknownPath();
  const body = typeof req.body === 'object' && req.body !== null ? (req.body as Record<string, unknown>) : {};
  return call.route.handle({ state, token, objectId: call.objectId, body, query: req.query, selfUrl: req.selfUrl, fields });
}

function requestedFields(query: URLSearchParams): FieldSelection[] | undefined {
  const raw = query.get('fields');
  return raw === null || raw.trim() === '' ? undefined : parseFields(raw);
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
