import { ok, type GraphCall, type Refusable } from './graph-call';
import { errors, type SimResponse } from './graph-errors';
import { planFields, renderNode, SOLUTION, SOLUTION_DEFAULTS, SOLUTION_PARTNER, SOLUTION_PARTNER_DEFAULTS } from './graph-nodes';
import { page } from './paging';
import { PERMISSIONS, SOLUTION_NAME_MAX_LENGTH, type GraphSimulatorState, type SimSolution, type SimSolutionPartner, type SimToken } from './state';

/**
 * The Multi-Partner Solution calls (docs/graph-api.md): create, accept, decline, the deactivation
 * requests, the details call, its `partners` edge and an app's listing.
 */
type SolutionCall = GraphCall;

export function createSolution({ state, token, objectId: appId, body: b }: SolutionCall): SimResponse {
  if (token.kind !== 'user') return errors.permission('The solution owner must create the solution with a user access token.');
  if (!managesSolutions(token)) return errors.permission('Requires manage_app_solution permission to manage the object');
  const ownerApp = state.selectedApps(token).find((a) => a.id === appId);
  if (!ownerApp) return errors.permission('The user has not granted access to this app.');

  const { owner_permissions: ownerPermissions, partner_permissions: partnerPermissions, solution_name: name } = b;
  if (String(b.partner_app_id) !== state.partnerApp.id) return errors.badParameter('Param partner_app_id must be a valid partner app ID');
  if (!isPermissionList(ownerPermissions)) return errors.badParameter('Param owner_permissions must be an array of valid permissions');
  if (!isPermissionList(partnerPermissions)) return errors.badParameter('Param partner_permissions must be an array of valid permissions');
  if (ownerPermissions.includes('MESSAGING') === partnerPermissions.includes('MESSAGING')) {
    return errors.badParameter('Exactly one of the solution owner and the partner must have the MESSAGING permission');
  }
  if (typeof name !== 'string' || name.trim().length === 0 || name.length > SOLUTION_NAME_MAX_LENGTH) {
    return errors.badParameter(`Param solution_name must be a non-empty string of at most ${SOLUTION_NAME_MAX_LENGTH} characters`);
  }
  const solution = state.createSolution(ownerApp, { name, ownerPermissions, partnerPermissions });
  state.announceSolution(solution, 'SOLUTION_CREATED');
  return ok({ solution_id: solution.id });
}

/*
 * The calls that change a solution check who calls; the state's own methods check whether the
 * solution's state allows the change, make it and send its webhook, for the controls of
 * control-routes.ts just the same.
 */

/** `POST /{id}/accept`: only the invited partner app, with `partner_app_id`, only while `INITIATED`. */
export function acceptSolution(call: SolutionCall): SimResponse {
  const decision = partnerDecision(call, { appIdRequired: true });
  if ('refused' in decision) return decision.refused;
  const { solution, partner } = decision;
  if ('refused' in call.state.acceptInvitation(solution.id, partner.app.id)) return errors.notInitiated();
  return ok({ solution_id: solution.id, partner_status: partner.status, success: true });
}

/** `POST /{id}/reject`: the invited partner declines; not possible once accepted. */
export function rejectSolution(call: SolutionCall): SimResponse {
  const decision = partnerDecision(call, { appIdRequired: false });
  if ('refused' in decision) return decision.refused;
  const { solution, partner } = decision;
  if ('refused' in call.state.rejectSolution(solution.id, partner.app.id)) return errors.notInitiated();
  return ok({ success: true });
}

/** `POST /{id}/send_deactivation_request`: the owner asks, only while `ACTIVE`. */
export function sendDeactivationRequest({ state, token, objectId }: SolutionCall): SimResponse {
  const solution = state.solutions.get(objectId);
  if (!solution) return errors.unknownObject(objectId);
  if (!isOwnerSide(token, solution)) return errors.permission('Only the solution owner can ask to deactivate it');
  if ('refused' in state.requestDeactivation(objectId)) return errors.badParameter('A deactivation request needs an ACTIVE solution with no pending request');
  return ok({ success: true });
}

/**
 * `POST /{id}/accept_deactivation_request` and `…/reject_deactivation_request`: the partner decides.
 * Rejected, the solution stays `ACTIVE`; accepted, it is `DEACTIVATED`.
 */
export function decideDeactivationRequest(accept: boolean) {
  return (call: SolutionCall): SimResponse => {
    const decision = partnerDecision(call, { appIdRequired: false });
    if ('refused' in decision) return decision.refused;
    if ('refused' in call.state.decideDeactivationRequest(decision.solution.id, accept)) return errors.badParameter('The solution has no pending deactivation request');
    return ok({ success: true });
  };
}

/** `GET /{id}`: the solution's fields as requested, or its default set. */
export function readSolution({ state, token, objectId, fields }: SolutionCall): SimResponse {
  const found = visibleSolution(state, token, objectId);
  if ('refused' in found) return found.refused;
  return ok(renderNode(planFields(SOLUTION, fields, SOLUTION_DEFAULTS), found.solution));
}

/** `GET /{id}/partners`: the `partners` edge on its own, paged. */
export function listSolutionPartners({ state, token, objectId, fields, query, selfUrl }: SolutionCall): SimResponse {
  const found = visibleSolution(state, token, objectId);
  if ('refused' in found) return found.refused;
  const plan = planFields(SOLUTION_PARTNER, fields, SOLUTION_PARTNER_DEFAULTS);
  return page(query, selfUrl, found.solution.partners.map((p) => renderNode(plan, p)), state.maxPageSize());
}

/**
 * `GET /{app}/whatsapp_business_solutions`: the app's solutions as owner (`role=OWNER`), as invited
 * partner (`role=PARTNER`) or both, for a token of that app: the Tech Provider's user token on an app
 * it selected, or our system-user (or app) token on our own app.
 */
export function listAppSolutions({ state, token, objectId: appId, fields, query, selfUrl }: SolutionCall): SimResponse {
  if (!state.app(appId)) return errors.unknownObject(appId);
  const role = query.get('role');
  if (role !== null && role !== 'OWNER' && role !== 'PARTNER') return errors.badParameter('Param role must be one of {OWNER, PARTNER}');
  const mayRead = token.kind === 'user' ? managesSolutions(token) && token.selectedAppIds.includes(appId) : partnerAppOf(token) === appId;
  if (!mayRead) return errors.permission('The access token cannot read the solutions of this app');
  const plan = planFields(SOLUTION, fields, SOLUTION_DEFAULTS);
  const owns = (s: SimSolution) => s.ownerApp.id === appId;
  const invites = (s: SimSolution) => invitedPartner(s, appId) !== undefined;
  const matching = [...state.solutions.values()].filter((s) => (role === 'OWNER' ? owns(s) : role === 'PARTNER' ? invites(s) : owns(s) || invites(s)));
  return page(query, selfUrl, matching.map((s) => renderNode(plan, s)), state.maxPageSize());
}

/** A draft is not sent to its partners yet: only a solution past it invites them. */
function invitedPartner(solution: SimSolution, appId: string): SimSolutionPartner | undefined {
  return solution.status === 'DRAFT' ? undefined : solution.partners.find((p) => p.app.id === appId);
}

/** A user token acts on solutions only with `manage_app_solution` granted (the simulator's rule for every solution call). */
function managesSolutions(token: SimToken & { kind: 'user' }): boolean {
  return token.scopes.includes('manage_app_solution');
}

function isOwnerSide(token: SimToken, solution: SimSolution): boolean {
  return token.kind === 'user' && managesSolutions(token) && token.selectedAppIds.includes(solution.ownerApp.id);
}

/** The app a system-user or app token acts for; a user's or a client business's token is no partner app's. */
function partnerAppOf(token: SimToken): string | undefined {
  return token.kind === 'system-user' || token.kind === 'app' ? token.appId : undefined;
}

function visibleSolution(state: GraphSimulatorState, token: SimToken, id: string): Refusable<{ solution: SimSolution }> {
  const solution = state.solutions.get(id);
  // An app is an object too, but not one the simulator serves.
  if (!solution) return { refused: state.app(id) ? errors.unknownPath() : errors.unknownObject(id) };
  const appId = partnerAppOf(token);
  const partnerSide = appId !== undefined && invitedPartner(solution, appId) !== undefined;
  return isOwnerSide(token, solution) || partnerSide ? { solution } : { refused: errors.unknownPath() };
}

/**
 * What every partner decision checks: the solution exists, the token is a system user's, of the app
 * named by `partner_app_id` (required to accept, per the reference), and that app is invited.
 */
function partnerDecision(
  { state, token, objectId, body }: SolutionCall,
  opts: { appIdRequired: boolean },
): Refusable<{ solution: SimSolution; partner: SimSolutionPartner }> {
  const solution = state.solutions.get(objectId);
  if (!solution) return { refused: errors.unknownObject(objectId) };
  if (token.kind !== 'system-user') return { refused: errors.permission('A partner decides with a system-user access token of the invited app') };
  const named = body.partner_app_id === undefined || body.partner_app_id === '' ? undefined : String(body.partner_app_id);
  if (named === undefined && opts.appIdRequired) return { refused: errors.badParameter('The parameter partner_app_id is required') };
  if (named !== undefined && named !== token.appId) return { refused: errors.permission(`The access token does not belong to app ${named}`) };
  const partner = invitedPartner(solution, token.appId);
  return partner ? { solution, partner } : { refused: errors.notInvited() };
}

function isPermissionList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((p) => (PERMISSIONS as readonly unknown[]).includes(p));
}
