import type { ClientGraphClient, SharedClientWaba } from '../../graph/client-graph-client';
import { GraphError, type GraphErrorDetails } from '../../graph/graph-error';
import { recordClient, type ClientNewsDeps, type ClientNewsOutcome } from './client-news';

/** Where the last pass stopped in the listing (Graph's `after` cursor), so that the next goes on from there. */
export interface DiscoveryCursor {
  read(): Promise<string | undefined>;
  /** undefined: the listing was read to its end; the next pass starts from the first page. */
  save(after: string | undefined): Promise<void>;
}

export interface DiscoverClientsDeps extends ClientNewsDeps {
  graph: Pick<ClientGraphClient, 'clientWabas' | 'wabaSolutions'>;
  cursor: DiscoveryCursor;
  systemUserToken: () => Promise<string>;
  settings: { businessId: string; maxWabasPerPass: number };
}

export interface DiscoveryPass {
  /** WABAs read from the listing (at most `maxWabasPerPass`). */
  read: number;
  /** The listing was read to its end (the next pass starts again from its first page). */
  complete: boolean;
  /** Each unrecorded WABA's solutions, as recorded (or not ours). */
  found: { wabaId: string; outcome: ClientNewsOutcome }[];
  /** Listed without its owner business (which the business token needs): not recorded. */
  withoutOwner: string[];
  /** WABAs whose solutions Graph refused to list for good: the pass goes on, the next one asks again. */
  refused: { wabaId: string; error: GraphErrorDetails }[];
}

/**
 * The daily pass, Meta's fallback when webhooks fail: the client WABAs shared with our business, page
 * by page up to the pass's bound, going on from where the last pass stopped (so that past the bound
 * the whole listing is still read, over several days), and for each one no record holds, its solutions
 * on Graph; through one of ours, it is recorded as if the webhook had come (then shared as any other).
 */
export async function discoverClients(deps: DiscoverClientsDeps): Promise<DiscoveryPass> {
  const token = await deps.systemUserToken();
  const pass: DiscoveryPass = { read: 0, complete: false, found: [], withoutOwner: [], refused: [] };
  // A page is gone through whole or not at all: a pass that stops within one starts the next from it.
  let pageStart = await deps.cursor.read();
  for await (const page of deps.graph.clientWabas(deps.settings.businessId, token, pageStart)) {
    if (pass.read + page.items.length > deps.settings.maxWabasPerPass && pass.read > 0) {
      await deps.cursor.save(pageStart);
      return pass;
    }
    for (const waba of page.items) await discoverWaba(waba, token, deps, pass);
    pageStart = page.after;
  }
  // The end of the listing (or an empty one): the next pass starts again from its first page.
  pass.complete = true;
  await deps.cursor.save(undefined);
  return pass;
}

/** One listed WABA: known already, or its solutions read, each of ours recorded. */
async function discoverWaba(waba: SharedClientWaba, token: string, deps: DiscoverClientsDeps, pass: DiscoveryPass): Promise<void> {
  pass.read++;
  if ((await deps.clients.clientsOfWaba(waba.id)).length > 0) return;
  if (waba.ownerBusinessId === undefined) {
    pass.withoutOwner.push(waba.id);
    return;
  }
  let solutions;
  try {
    solutions = await deps.graph.wabaSolutions(waba.id, token);
  } catch (error) {
    // One WABA Graph will not describe to us must not end the pass for every WABA after it.
    if (!(error instanceof GraphError) || error.retryable) throw error;
    pass.refused.push({ wabaId: waba.id, error: error.details });
    return;
  }
  for (const solution of solutions) {
    const outcome = await recordClient({ solutionId: solution.id, wabaId: waba.id, ownerBusinessId: waba.ownerBusinessId, source: 'DAILY_PASS', observedAt: deps.clock() }, deps);
    pass.found.push({ wabaId: waba.id, outcome });
  }
}
