import { ASSIGNED_USER, ASSIGNED_USER_DEFAULTS, WABA, WABA_DEFAULTS } from './client-nodes';
import { ok, type GraphCall, type Refusable } from './graph-call';
import { errors, type SimResponse } from './graph-errors';
import { planFields, renderNode, renderObject, SOLUTION, SOLUTION_DEFAULTS } from './graph-nodes';
import { page } from './paging';
import { refuseUnlessSystemUser, systemUserOnOurBusiness, systemUserOnSharedWaba, textParam } from './partner-checks';
import { PERMISSIONS, SYSTEM_USER_NAME } from './state';

/**
 * Our business's calls about the clients onboarded through solutions (docs/graph-api.md § Clients
 * onboarded through a solution): the webhook fallback's client list, a WABA's solutions, our system
 * user on a client's WABA, the client's business token, and the WABA read with that token.
 */

/**
 * `GET /{our business}/client_whatsapp_business_accounts?filtering=[{"field":"partners","operator":"ALL","value":[…]}]`:
 * the WABAs shared with us (and with every partner business named), paged, `limit` up to 100.
 */
export function listClientWabas(call: GraphCall): SimResponse {
  const { state, fields, query, selfUrl } = call;
  const ours = systemUserOnOurBusiness(call);
  if ('refused' in ours) return ours.refused;
  const partners = partnerFilter(query.get('filtering'));
  if ('refused' in partners) return partners.refused;
  const plan = planFields(WABA, fields, WABA_DEFAULTS);
  const wabas = state.clients.sharedWith(ours.businessId).filter((w) => partners.businessIds.every((id) => w.sharedWith.includes(id)));
  return page(query, selfUrl, wabas.map((w) => renderNode(plan, w)), state.maxPageSize());
}

/**
 * The one filter the docs name: `partners` with operator `ALL`. Any other field or operator is
 * refused with (#100) (our choice, the docs are silent: filtering by solution is not documented).
 */
function partnerFilter(raw: string | null): Refusable<{ businessIds: string[] }> {
  if (raw === null || raw === '') return { businessIds: [] };
  const refused = { refused: errors.badParameter('Param filtering must be a JSON array of {field: "partners", operator: "ALL", value: [business IDs]}') };
  let rules: unknown;
  try {
    rules = JSON.parse(raw);
  } catch {
    return refused;
  }
  if (!Array.isArray(rules)) return refused;
  const businessIds: string[] = [];
  for (const rule of rules as { field?: unknown; operator?: unknown; value?: unknown }[]) {
    if (rule?.field !== 'partners' || rule.operator !== 'ALL' || !Array.isArray(rule.value)) return refused;
    businessIds.push(...rule.value.map(String));
  }
  return { businessIds };
}

/** `GET /{waba}/solutions`: the solution the WABA was onboarded through; default fields as the solution listing's. */
export function listWabaSolutions(call: GraphCall): SimResponse {
  const { state, fields, query, selfUrl } = call;
  // Which token may call it is not documented: our system user's (docs/graph-api.md says to use it).
  const found = systemUserOnSharedWaba(call);
  if ('refused' in found) return found.refused;
  const plan = planFields(SOLUTION, fields, SOLUTION_DEFAULTS);
  const solution = state.solutions.get(found.waba.solutionId);
  return page(query, selfUrl, solution ? [renderNode(plan, solution)] : [], state.maxPageSize());
}

/**
 * The tasks `assigned_users` takes: the docs name `MANAGE` and `MANAGE_BILLING`; the others mirror the
 * solution permission values (our choice, the docs are silent on the full list).
 */
export const WABA_TASKS: readonly string[] = [...PERMISSIONS, 'MANAGE_BILLING'];

/**
 * `POST /{waba}/assigned_users?user=<our system user>&tasks=['MANAGE']`: `MANAGE` only when our app
 * holds `MESSAGING` in the WABA's solution, else granular tasks such as `MANAGE_BILLING`.
 */
export function assignSystemUser(call: GraphCall): SimResponse {
  const { state } = call;
  const found = systemUserOnSharedWaba(call);
  if ('refused' in found) return found.refused;
  const user = textParam(call, 'user');
  if (user === undefined) return errors.badParameter('The parameter user is required');
  // Our choice (the docs are silent): only a system user of our business can be assigned by us.
  if (user !== state.seed.systemUserId) return errors.badParameter(`Param user must be a system user of business ${state.seed.partnerBusiness.id}`);
  const tasks = taskList(call.query.get('tasks') ?? call.body.tasks);
  if (!tasks) return errors.badParameter(`Param tasks must be a non-empty list of {${WABA_TASKS.join(', ')}}`);
  const ourPermissions = state.solutions.get(found.waba.solutionId)?.partners.find((p) => p.app.id === state.partnerApp.id)?.permissions ?? [];
  if (tasks.includes('MANAGE') && !ourPermissions.includes('MESSAGING')) {
    // The refusal's shape is our choice (the docs only say MANAGE needs MESSAGING): Graph's permission class.
    return errors.permission('The task MANAGE needs the MESSAGING permission in the WABA’s solution; assign granular tasks such as MANAGE_BILLING');
  }
  state.clients.assignUser(found.waba, { id: user, name: SYSTEM_USER_NAME, tasks });
  return ok({ success: true });
}

/** `tasks` as the docs write it, `['MANAGE']`, or as JSON, or a JSON array already parsed from a body; undefined when unusable. */
function taskList(raw: unknown): string[] | undefined {
  const items = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? raw.replace(/^\s*\[|\]\s*$/g, '').split(',').map((t) => t.trim().replace(/^['"]|['"]$/g, '')) : [];
  const tasks = [...new Set(items.filter(Boolean))];
  return tasks.length > 0 && tasks.every((t) => WABA_TASKS.includes(t)) ? tasks : undefined;
}

/** `GET /{waba}/assigned_users?business=<our business>`: `{data: [{id, name, tasks}]}`, paged. */
export function listAssignedUsers(call: GraphCall): SimResponse {
  const { state, fields, query, selfUrl } = call;
  const found = systemUserOnSharedWaba(call);
  if ('refused' in found) return found.refused;
  const business = textParam(call, 'business');
  if (business === undefined) return errors.badParameter('The parameter business is required');
  const plan = planFields(ASSIGNED_USER, fields, ASSIGNED_USER_DEFAULTS);
  // Every user the simulator assigns is our system user, of our business.
  const users = business === state.seed.partnerBusiness.id ? found.waba.assignedUsers : [];
  return page(query, selfUrl, users.map((u) => renderNode(plan, u)), state.maxPageSize());
}

/**
 * `GET /{solution}/access_token?business_id=<client business>` with our system-user token: a new
 * business token, in the reference shape `{access_token, expires_at}` or, when a control says so, the
 * guide's `{data: [{access_token}]}`. 404 "solution or business not accessible" unless the business has a
 * WABA onboarded through that solution, still shared with us and with our app installed (the last
 * two are our choice, the docs are silent).
 */
export function solutionAccessToken(call: GraphCall): SimResponse {
  const { state, token, objectId } = call;
  const refusal = refuseUnlessSystemUser(token);
  if (refusal) return refusal;
  const solution = state.solutions.get(objectId);
  if (!solution) return errors.unknownObject(objectId);
  const businessId = textParam(call, 'business_id');
  if (businessId === undefined) return errors.badParameter('The parameter business_id is required');
  const ours = state.partnerApp.id;
  const reachable = [...state.clients.wabas.values()].some(
    (w) => w.solutionId === solution.id && w.ownerBusiness.id === businessId && w.appInstalled && w.sharedWith.includes(state.seed.partnerBusiness.id),
  );
  if (!reachable || !solution.partners.some((p) => p.app.id === ours)) return errors.notAccessible();
  const issued = state.issueBusinessToken(businessId, solution.id);
  return ok(state.accessTokenShape === 'guide' ? { data: [{ access_token: issued.token }] } : { access_token: issued.token, expires_at: issued.expiresAt });
}

/**
 * `GET /{waba}?fields=primary_funding_id` with the client's business token (a token of the WABA's
 * owner business): `{primary_funding_id?, id}`. Any other token is refused as Graph refuses an object
 * it cannot load for the caller (our choice: the docs name only this token for the read).
 */
export function readWaba({ state, token, objectId, fields }: GraphCall): SimResponse {
  const waba = state.clients.wabas.get(objectId);
  if (!waba) return errors.unknownObject(objectId);
  if (token.kind !== 'business' || token.businessId !== waba.ownerBusiness.id) return errors.unknownPath();
  return ok(renderObject(planFields(WABA, fields, WABA_DEFAULTS), waba, waba.id));
}
