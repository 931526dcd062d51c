import { BUSINESS, WABA, ALLOCATION, CREDIT_LINE } from './client-nodes';
import { assignSystemUser, listAssignedUsers, listClientWabas, listWabaSolutions, readWaba, solutionAccessToken } from './client-routes';
import type { GraphOperation } from './controls';
import { listCreditAllocations, listCreditLines, readAllocation, revokeAllocation, shareCreditLine } from './credit-routes';
import { FieldSyntaxError, parseFields, type FieldSelection } from './field-selection';
import type { GraphCall } from './graph-call';
import { errors, type SimResponse } from './graph-errors';
import { APPLICATION, FieldRequestError, nonexistingField, planFields, renderNode, SOLUTION, type NodeType } from './graph-nodes';
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

/** The kinds of object a path's ID can name, each with Graph's type name (for its `(#100)` on an edge it does not have). */
const OBJECT_TYPES = {
  app: APPLICATION,
  solution: SOLUTION,
  business: BUSINESS,
  waba: WABA,
  credit_line: CREDIT_LINE,
  allocation: ALLOCATION,
} satisfies Record<string, NodeType<never>>;
type ObjectKind = keyof typeof OBJECT_TYPES;

interface ObjectRoute {
  method: string;
  /** '' for the object itself. */
  edge: string;
  on: ObjectKind;
  operation: GraphOperation;
  handle: (call: GraphCall) => SimResponse;
}

/** The calls on `/{object id}/{edge}`: by method, edge and the kind of object the ID names. */
const OBJECT_ROUTES: ObjectRoute[] = [
  { method: 'POST', edge: 'whatsapp_business_solution', on: 'app', operation: 'create_solution', handle: createSolution },
  { method: 'POST', edge: 'accept', on: 'solution', operation: 'accept_solution', handle: acceptSolution },
  { method: 'POST', edge: 'reject', on: 'solution', operation: 'reject_solution', handle: rejectSolution },
  { method: 'POST', edge: 'send_deactivation_request', on: 'solution', operation: 'send_deactivation_request', handle: sendDeactivationRequest },
  { method: 'POST', edge: 'accept_deactivation_request', on: 'solution', operation: 'accept_deactivation_request', handle: decideDeactivationRequest(true) },
  { method: 'POST', edge: 'reject_deactivation_request', on: 'solution', operation: 'reject_deactivation_request', handle: decideDeactivationRequest(false) },
  // The first route of a method and edge answers for an ID that names no object (read_solution for `GET /{id}`).
  { method: 'GET', edge: '', on: 'solution', operation: 'read_solution', handle: readSolution },
  { method: 'GET', edge: 'partners', on: 'solution', operation: 'list_solution_partners', handle: listSolutionPartners },
  { method: 'GET', edge: 'whatsapp_business_solutions', on: 'app', operation: 'list_solutions', handle: listAppSolutions },
  { method: 'GET', edge: 'access_token', on: 'solution', operation: 'solution_access_token', handle: solutionAccessToken },
  { method: 'GET', edge: 'client_whatsapp_business_accounts', on: 'business', operation: 'list_client_wabas', handle: listClientWabas },
  { method: 'GET', edge: 'extendedcredits', on: 'business', operation: 'list_credit_lines', handle: listCreditLines },
  { method: 'GET', edge: '', on: 'waba', operation: 'read_waba', handle: readWaba },
  { method: 'GET', edge: 'solutions', on: 'waba', operation: 'list_waba_solutions', handle: listWabaSolutions },
  { method: 'POST', edge: 'assigned_users', on: 'waba', operation: 'assign_system_user', handle: assignSystemUser },
  { method: 'GET', edge: 'assigned_users', on: 'waba', operation: 'list_assigned_users', handle: listAssignedUsers },
  { method: 'POST', edge: 'whatsapp_credit_sharing_and_attach', on: 'credit_line', operation: 'share_credit_line', handle: shareCreditLine },
  { method: 'GET', edge: 'owning_credit_allocation_configs', on: 'credit_line', operation: 'list_credit_allocations', handle: listCreditAllocations },
  { method: 'GET', edge: '', on: 'allocation', operation: 'read_allocation', handle: readAllocation },
  { method: 'DELETE', edge: '', on: 'allocation', operation: 'revoke_allocation', handle: revokeAllocation },
];

/** What a path's ID names in the simulator's world, if anything. */
function objectKind(state: GraphSimulatorState, id: string): ObjectKind | undefined {
  if (state.solutions.has(id)) return 'solution';
  if (state.app(id)) return 'app';
  if (state.clients.wabas.has(id)) return 'waba';
  if (state.clients.allocations.has(id)) return 'allocation';
  if (state.seed.creditLines.some((l) => l.id === id)) return 'credit_line';
  const businesses = [state.seed.partnerBusiness.id, ...state.clients.businesses.keys(), ...state.techProviders().map((tp) => tp.businessId)];
  return businesses.includes(id) ? 'business' : undefined;
}

/**
 * `/{object id}` or `/{object id}/{edge}`, the kind of object the ID names (with the state; without it,
 * as for an unknown ID), and the route for it: the one on that kind, else the first of the method and
 * edge, whose handler answers for an object it does not know.
 */
function objectCall(method: string, path: string, state?: GraphSimulatorState) {
  const [objectId, edge = '', ...rest] = path.split('/').filter(Boolean);
  if (!objectId || rest.length > 0) return undefined;
  const kind = state && objectKind(state, objectId);
  const routes = OBJECT_ROUTES.filter((r) => r.method === method && r.edge === edge);
  return { objectId, edge, kind, route: routes.find((r) => r.on === kind) ?? routes[0] };
}

/** Graph reads `GET /{id}/{edge}` as a field of the node: an edge the node does not have is Graph's `(#100)`. */
function unknownEdge(method: string, { edge, kind, route }: NonNullable<ReturnType<typeof objectCall>>): SimResponse | undefined {
  if (method !== 'GET' || !edge || !kind || route?.on === kind) return undefined;
  return errors.badParameter(nonexistingField(edge, OBJECT_TYPES[kind]));
}

/** Which pipeline call a request is, and the app or solution it is about (for fault rules). */
export function graphOperation(method: string, path: string, state?: GraphSimulatorState): { operation: GraphOperation; objectId?: string } | undefined {
  if (method === 'GET' && path === 'debug_token') return { operation: 'debug_token' };
  if (method === 'GET' && APP_LISTING_PATHS.has(path)) return { operation: 'list_apps' };
  const call = objectCall(method, path, state);
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
  const call = objectCall(req.method, req.path, state);
  if (!call) return errors.unknownPath();
  const misread = unknownEdge(req.method, call);
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
  if (input.kind === 'business') {
    // Our choice (the docs are silent on debugging a business token): our app's, valid until it expires.
    const valid = !state.isExpired(input);
    return { status: 200, body: { data: { app_id: state.partnerApp.id, type: 'BUSINESS', is_valid: valid, expires_at: input.expiresAt, scopes: [] } } };
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
