import { BILLING_TASKS, WABA_CURRENCIES, type SimAllocation, type SimCreditLine } from './client-accounts';
import { ALLOCATION, CREDIT_LINE, ID_ONLY } from './client-nodes';
import { ok, type GraphCall, type Refusable } from './graph-call';
import { errors, type SimResponse } from './graph-errors';
import { planFields, renderNode, renderObject } from './graph-nodes';
import { page } from './paging';
import { refuseUnlessSystemUser, systemUserOnOurBusiness, textParam } from './partner-checks';

/**
 * Sharing our credit line with a client (docs/graph-api.md § Sharing the credit line): find the line,
 * share and attach it, verify the allocation, list and revoke allocations. Every call takes our
 * system-user token.
 */

/** `GET /{our business}/extendedcredits?fields=id,legal_entity_name`. */
export function listCreditLines(call: GraphCall): SimResponse {
  const { state, fields, query, selfUrl } = call;
  const ours = systemUserOnOurBusiness(call);
  if ('refused' in ours) return ours.refused;
  const plan = planFields(CREDIT_LINE, fields, ID_ONLY);
  return page(query, selfUrl, state.seed.creditLines.map((line) => renderNode(plan, line)), state.maxPageSize());
}

/**
 * `POST /{credit line}/whatsapp_credit_sharing_and_attach?waba_currency=&waba_id=`: `(#100)` for a
 * missing or bad parameter, `(#200) Permissions error` unless our system user is assigned to the WABA
 * with `MANAGE` or `MANAGE_BILLING`; answers `{allocation_config_id, waba_id}`.
 */
export function shareCreditLine(call: GraphCall): SimResponse {
  const { state, token, objectId } = call;
  const line = creditLine(call);
  if ('refused' in line) return line.refused;
  const refusal = refuseUnlessSystemUser(token);
  if (refusal) return refusal;
  const currency = textParam(call, 'waba_currency');
  if (!currency || !(WABA_CURRENCIES as readonly string[]).includes(currency)) return errors.badParameter(`Param waba_currency must be one of {${WABA_CURRENCIES.join(', ')}}`);
  const wabaId = textParam(call, 'waba_id');
  const waba = wabaId === undefined ? undefined : state.clients.wabas.get(wabaId);
  // A WABA not shared with us is as unknown to us as one that does not exist (our choice, the docs are silent).
  if (!waba || !waba.sharedWith.includes(state.seed.partnerBusiness.id)) return errors.badParameter('Param waba_id must be the ID of a WhatsApp Business Account shared with your business');
  const ourUser = waba.assignedUsers.find((u) => u.id === state.seed.systemUserId);
  if (!ourUser?.tasks.some((t) => (BILLING_TASKS as readonly string[]).includes(t))) return errors.permission('Permissions error');
  // Our choice of refusal (docs: "A credit line attached to a WABA cannot be changed afterwards"), ours or another's alike.
  if (waba.primaryFundingId !== undefined) return errors.badParameter('A credit line attached to a WABA cannot be changed afterwards');
  const allocation = state.clients.attachCreditLine(objectId, waba, currency);
  return ok({ allocation_config_id: allocation.id, waba_id: waba.id });
}

/** `GET /{allocation}?fields=receiving_credential` → `{receiving_credential: {id}, id}`; `request_status` too. */
export function readAllocation(call: GraphCall): SimResponse {
  const found = allocationOf(call);
  if ('refused' in found) return found.refused;
  return ok(renderObject(planFields(ALLOCATION, call.fields, ID_ONLY), found.allocation, found.allocation.id));
}

/**
 * `GET /{credit line}/owning_credit_allocation_configs?receiving_business_id=&fields=id,receiving_business`:
 * the line's live allocations, to one client business when named (revoked ones are left out: our
 * choice, the docs are silent).
 */
export function listCreditAllocations(call: GraphCall): SimResponse {
  const { state, token, fields, query, selfUrl } = call;
  const line = creditLine(call);
  if ('refused' in line) return line.refused;
  const refusal = refuseUnlessSystemUser(token);
  if (refusal) return refusal;
  const receiving = textParam(call, 'receiving_business_id');
  const plan = planFields(ALLOCATION, fields, ID_ONLY);
  const allocations = [...state.clients.allocations.values()].filter(
    (a) => a.creditLineId === line.line.id && a.requestStatus !== 'DELETED' && (receiving === undefined || a.receivingBusiness.id === receiving),
  );
  return page(query, selfUrl, allocations.map((a) => renderNode(plan, a)), state.maxPageSize());
}

/**
 * `DELETE /{allocation}` → `{success: true}`; `request_status` then reads `DELETED`. Revoking one
 * already revoked answers the same (our choice, the docs are silent).
 */
export function revokeAllocation(call: GraphCall): SimResponse {
  const found = allocationOf(call);
  if ('refused' in found) return found.refused;
  call.state.clients.revoke(found.allocation);
  return ok({ success: true });
}

/** One of our credit lines, by the path's ID. */
function creditLine({ state, objectId }: GraphCall): Refusable<{ line: SimCreditLine }> {
  const line = state.seed.creditLines.find((l) => l.id === objectId);
  return line ? { line } : { refused: errors.unknownObject(objectId) };
}

/** An allocation of one of our credit lines, by the path's ID, for our system user. */
function allocationOf({ state, token, objectId }: GraphCall): Refusable<{ allocation: SimAllocation }> {
  const allocation = state.clients.allocations.get(objectId);
  if (!allocation) return { refused: errors.unknownObject(objectId) };
  const refusal = refuseUnlessSystemUser(token);
  return refusal ? { refused: refusal } : { allocation };
}
