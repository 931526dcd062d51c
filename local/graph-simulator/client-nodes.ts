import { CLIENT_OWNED, type SimAllocation, type SimAssignedUser, type SimBusiness, type SimCreditLine, type SimWaba } from './client-accounts';
import { NESTED_APP_DEFAULTS, value, type NodeType } from './graph-nodes';

/**
 * The client-side Graph nodes (docs/graph-api.md § Clients onboarded through a solution), with the
 * fields the docs name and no others, so that a field the docs do not name is Graph's `(#100)`.
 */

/** A business portfolio, nested as `{id, name}` (a WABA's `on_behalf_of_business_info`, an allocation's `receiving_business`). */
export const BUSINESS: NodeType<SimBusiness> = {
  name: 'Business',
  fields: { id: value((b) => b.id), name: value((b) => b.name) },
};
const NESTED_BUSINESS_DEFAULTS = NESTED_APP_DEFAULTS;

export const WABA: NodeType<SimWaba> = {
  name: 'WhatsAppBusinessAccount',
  fields: {
    id: value((w) => w.id),
    name: value((w) => w.name),
    timezone_id: value((w) => w.timezoneId),
    on_behalf_of_business_info: { kind: 'node', type: BUSINESS as NodeType<never>, get: (w) => w.ownerBusiness, defaults: NESTED_BUSINESS_DEFAULTS },
    ownership_type: value(() => CLIENT_OWNED),
    // Absent until a credit line is attached: Graph leaves out a field with no value.
    primary_funding_id: value((w) => w.primaryFundingId),
  },
};
/** The client list's default fields (docs: `{"data":[{"id","name","timezone_id",…}]}`); our choice for a WABA read on its own too (the docs are silent). */
export const WABA_DEFAULTS = ['id', 'name', 'timezone_id'] as const;

/** The entries of `GET /{waba}/assigned_users`: `{id, name, tasks}` (docs). */
export const ASSIGNED_USER: NodeType<SimAssignedUser> = {
  name: 'AssignedUser',
  fields: { id: value((u) => u.id), name: value((u) => u.name), tasks: value((u) => u.tasks) },
};
export const ASSIGNED_USER_DEFAULTS = ['id', 'name', 'tasks'] as const;

export const CREDIT_LINE: NodeType<SimCreditLine> = {
  name: 'ExtendedCredit',
  fields: { id: value((c) => c.id), legal_entity_name: value((c) => c.legalEntityName) },
};

/** `receiving_credential` answers `{id}` (docs); its type name is our choice (the docs are silent). */
const CREDENTIAL: NodeType<{ id: string }> = { name: 'ExtendedCreditCredential', fields: { id: value((c) => c.id) } };

export const ALLOCATION: NodeType<SimAllocation> = {
  name: 'ExtendedCreditAllocationConfig',
  fields: {
    id: value((a) => a.id),
    receiving_credential: { kind: 'node', type: CREDENTIAL as NodeType<never>, get: (a) => ({ id: a.receivingCredentialId }), defaults: ['id'] },
    receiving_business: { kind: 'node', type: BUSINESS as NodeType<never>, get: (a) => a.receivingBusiness, defaults: NESTED_BUSINESS_DEFAULTS },
    request_status: value((a) => a.requestStatus),
  },
};

/** Credit lines and allocations answer only `id` unless asked (our choice: Graph's usual default; the docs always name the fields). */
export const ID_ONLY = ['id'] as const;
