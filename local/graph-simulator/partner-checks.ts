import type { SimWaba } from './client-accounts';
import type { GraphCall, Refusable } from './graph-call';
import { errors, type SimResponse } from './graph-errors';
import type { GraphSimulatorState, SimToken } from './state';

/**
 * What the calls of our business on its clients check first (docs/graph-api.md § Clients onboarded
 * through a solution): our system user's token, our own business portfolio, a WABA shared with us.
 */

/** Every call there names "system-user token" (of an admin); a user's, an app's or a client's business token is refused. */
export function refuseUnlessSystemUser(token: SimToken): SimResponse | undefined {
  return token.kind === 'system-user' ? undefined : errors.permission('This call needs a system-user access token of the business');
}

/**
 * Our business portfolio, by the path's ID: another business (a client's, a Tech Provider's) exists
 * but is not ours to read (Graph's "missing permissions" answer).
 */
export function ourBusiness(state: GraphSimulatorState, id: string): Refusable<{ businessId: string }> {
  if (id === state.seed.partnerBusiness.id) return { businessId: id };
  const known = state.clients.businesses.has(id) || state.techProviders().some((tp) => tp.businessId === id);
  return { refused: known ? errors.unknownPath() : errors.unknownObject(id) };
}

/** A client's WABA that is shared with our business; one that is not (any more) is not ours to act on. */
export function sharedWaba(state: GraphSimulatorState, id: string): Refusable<{ waba: SimWaba }> {
  const waba = state.clients.wabas.get(id);
  if (!waba) return { refused: errors.unknownObject(id) };
  return waba.sharedWith.includes(state.seed.partnerBusiness.id) ? { waba } : { refused: errors.unknownPath() };
}

/** Our system user's call on our own business portfolio (the path's object). */
export function systemUserOnOurBusiness({ state, token, objectId }: GraphCall): Refusable<{ businessId: string }> {
  const refusal = refuseUnlessSystemUser(token);
  return refusal ? { refused: refusal } : ourBusiness(state, objectId);
}

/** Our system user's call on a client's WABA shared with us (the path's object). */
export function systemUserOnSharedWaba({ state, token, objectId }: GraphCall): Refusable<{ waba: SimWaba }> {
  const refusal = refuseUnlessSystemUser(token);
  return refusal ? { refused: refusal } : sharedWaba(state, objectId);
}

/** A parameter from the query string or the body (Graph takes either); the docs put these calls' parameters in the query. */
export function param(call: Pick<GraphCall, 'query' | 'body'>, name: string): unknown {
  return call.query.get(name) ?? call.body[name];
}

/** A parameter's text: undefined when absent or empty. */
export function textParam(call: Pick<GraphCall, 'query' | 'body'>, name: string): string | undefined {
  const raw = param(call, name);
  return raw === undefined || raw === null || raw === '' ? undefined : String(raw);
}
