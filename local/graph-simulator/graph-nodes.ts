import type { FieldSelection } from './field-selection';
import type { SimApp, SimSolution, SimSolutionPartner } from './state';

/**
 * The Graph nodes the simulator serves, with exactly the fields docs/graph-api.md documents. A
 * field outside these is refused as Graph refuses it, so the client cannot come to depend on a field
 * that does not exist (it happened: `partner_app` on a solution passed every local test).
 */

type Field<T> =
  | { kind: 'value'; get: (node: T) => unknown }
  /** A nested node; `defaults` answer when the request gives no selection in braces. */
  | { kind: 'node'; type: NodeType<never>; get: (node: T) => unknown; defaults: readonly string[] }
  /** An edge, answered inline as `{data: [...]}`. */
  | { kind: 'edge'; type: NodeType<never>; get: (node: T) => unknown[]; defaults: readonly string[] };

export interface NodeType<T> {
  /** Graph's name for the type, as it appears in its error messages. */
  name: string;
  fields: Record<string, Field<T>>;
}

/** A field the node does not have, or a selection Graph cannot apply: Graph's `(#100)`. */
export class FieldRequestError extends Error {
  override readonly name = 'FieldRequestError';
}

export const value = <T>(get: (node: T) => unknown): Field<T> => ({ kind: 'value', get });

export const APPLICATION: NodeType<SimApp> = {
  name: 'Application',
  fields: {
    id: value((a) => a.id),
    name: value((a) => a.name),
    link: value((a) => `https://www.facebook.com/games/?app_id=${a.id}`),
  },
};
/** An app nested in another node answers `{id, name}` unless asked otherwise. */
export const NESTED_APP_DEFAULTS = ['id', 'name'] as const;

/** The entries of a solution's `partners` edge. Graph's type name for them is not documented. */
export const SOLUTION_PARTNER: NodeType<SimSolutionPartner> = {
  name: 'WhatsAppBusinessSolutionPartner',
  fields: {
    partner_app: { kind: 'node', type: APPLICATION as NodeType<never>, get: (p) => p.app, defaults: NESTED_APP_DEFAULTS },
    partner_permissions: value((p) => p.permissions),
    status: value((p) => p.status),
  },
};
/**
 * Graph's default fields for a partner entry are not documented: the simulator answers the least
 * (the partner app), so a client that needs permissions or status must ask for them.
 */
export const SOLUTION_PARTNER_DEFAULTS = ['partner_app'] as const;

export const SOLUTION: NodeType<SimSolution> = {
  name: 'WhatsAppBusinessSolution',
  fields: {
    id: value((s) => s.id),
    name: value((s) => s.name),
    status: value((s) => s.status),
    status_for_pending_request: value((s) => s.statusForPendingRequest),
    owner_app: { kind: 'node', type: APPLICATION as NodeType<never>, get: (s) => s.ownerApp, defaults: NESTED_APP_DEFAULTS },
    owner_permissions: value((s) => s.ownerPermissions),
    partners: { kind: 'edge', type: SOLUTION_PARTNER as NodeType<never>, get: (s) => s.partners, defaults: SOLUTION_PARTNER_DEFAULTS },
  },
};
/** Without `fields`, the details call and the listing answer these (and `id`). */
export const SOLUTION_DEFAULTS = ['name', 'status', 'status_for_pending_request', 'id'] as const;

/** Graph's words for a field, or an edge, that a node does not have. */
export function nonexistingField(name: string, type: { name: string }): string {
  return `Tried accessing nonexisting field (${name}) on node type (${type.name})`;
}

/** A checked selection: what to answer for each node of a type, whatever the data. */
export interface FieldPlan {
  fields: { name: string; get: (node: never) => unknown; edge: boolean; nested?: FieldPlan }[];
}

/**
 * Checks a selection against a node type, before any data is read: Graph refuses a field the node
 * does not have even when there is nothing to answer (an empty listing, say). `defaults` apply when
 * the request gives no selection.
 */
export function planFields<T>(type: NodeType<T>, selection: FieldSelection[] | undefined, defaults: readonly string[]): FieldPlan {
  return {
    fields: (selection ?? defaults.map((name) => ({ name }) as FieldSelection)).map((field) => {
      const spec = type.fields[field.name];
      if (!spec) throw new FieldRequestError(nonexistingField(field.name, type));
      if (spec.kind === 'value') {
        if (field.children) throw new FieldRequestError(`Field (${field.name}) on node type (${type.name}) is not a node: it takes no fields`);
        return { name: field.name, get: spec.get, edge: false };
      }
      return { name: field.name, get: spec.get, edge: spec.kind === 'edge', nested: planFields(spec.type, field.children, spec.defaults) };
    }),
  };
}

/** Answers one node as planned. */
export function renderNode(plan: FieldPlan, node: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { name, get, edge, nested } of plan.fields) {
    const fieldValue = (get as (n: unknown) => unknown)(node);
    if (!nested) out[name] = fieldValue;
    else if (edge) out[name] = { data: (fieldValue as unknown[]).map((item) => renderNode(nested, item)) };
    else out[name] = renderNode(nested, fieldValue);
  }
  return out;
}

/**
 * A node read on its own (`GET /{id}`) of the client-side types: `id` follows the fields asked, as
 * Meta's examples show ("verify the allocation", `primary_funding_id`). The solution reads keep their
 * own contract (exactly the fields asked), which graph-examples.json holds them to.
 */
export function renderObject(plan: FieldPlan, node: unknown, id: string): Record<string, unknown> {
  const rendered = renderNode(plan, node);
  return 'id' in rendered ? rendered : { ...rendered, id };
}
