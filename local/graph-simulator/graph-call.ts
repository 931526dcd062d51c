import type { FieldSelection } from './field-selection';
import type { SimResponse } from './graph-errors';
import type { GraphSimulatorState, SimToken } from './state';

/**
 * One call on `/{object id}/{edge}`, as every route handler takes it: the request's resolved token,
 * the object ID from the path and what it needs of the request.
 */
export interface GraphCall {
  state: GraphSimulatorState;
  token: SimToken;
  objectId: string;
  body: Record<string, unknown>;
  query: URLSearchParams;
  selfUrl: URL;
  /** The parsed `fields` parameter; undefined when absent (the node's defaults apply). */
  fields: FieldSelection[] | undefined;
}

export const ok = (body: unknown): SimResponse => ({ status: 200, body });

/** What a check finds, or Graph's answer refusing the call. */
export type Refusable<T> = T | { refused: SimResponse };
