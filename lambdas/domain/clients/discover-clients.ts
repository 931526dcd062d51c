import type { ClientGraphClient } from '../../graph/client-graph-client';
import { GraphError, type GraphErrorDetails } from '../../graph/graph-error';
import { recordClient, type ClientNewsDeps, type ClientNewsOutcome } from './client-news';

export interface DiscoverClientsDeps extends ClientNewsDeps {
  graph: Pick<ClientGraphClient, 'clientWabas' | 'wabaSolutions'>;
  systemUserToken: () => Promise<string>;
  settings: { businessId: string; maxWabasPerPass: number };
}

export interface DiscoveryPass {
  /** WABAs read from the listing (at most `maxWabasPerPass`). */
  read: number;
  /** Each unrecorded WABA's solutions, as recorded (or not ours). */
  found: { wabaId: string; outcome: ClientNewsOutcome }[];
  /** Listed without its owner business (which the business token needs): not recorded. */
  withoutOwner: string[];
  /** WABAs whose solutions Graph refused to list for good: the pass goes on, the next one asks again. */
  refused: { wabaId: string; error: GraphErrorDetails }[];
}

/**
 * The daily pass, Meta's fallback when webhooks fail: the client WABAs shared with our business,
 * page by page up to the pass's bound, and for each one no record holds, its solutions on Graph;
 * through one of ours, it is recorded as if the webhook had come (then shared as any other).
 */
export async function discoverClients(deps: DiscoverClientsDeps): Promise<DiscoveryPass> {
  const token = await deps.systemUserToken();
  const pass: DiscoveryPass = { read: 0, found: [], withoutOwner: [], refused: [] };
  for await (const page of deps.graph.clientWabas(deps.settings.businessId, token)) {
    for (const waba of page) {
      if (pass.read === deps.settings.maxWabasPerPass) return pass;
      pass.read++;
      if ((await deps.clients.clientsOfWaba(waba.id)).length > 0) continue;
      if (waba.ownerBusinessId === undefined) {
        pass.withoutOwner.push(waba.id);
        continue;
      }
      let solutions;
      try {
        solutions = await deps.graph.wabaSolutions(waba.id, token);
      } catch (error) {
        // One WABA Graph will not describe to us must not end the pass for every WABA after it.
        if (!(error instanceof GraphError) || error.retryable) throw error;
        pass.refused.push({ wabaId: waba.id, error: error.details });
        continue;
      }
      for (const solution of solutions) {
        const outcome = await recordClient({ solutionId: solution.id, wabaId: waba.id, ownerBusinessId: waba.ownerBusinessId, source: 'DAILY_PASS', observedAt: deps.clock() }, deps);
        pass.found.push({ wabaId: waba.id, outcome });
      }
    }
  }
  return pass;
}
