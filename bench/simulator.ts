import type { FaultRule, Latency, RateLimit } from '../local/graph-simulator/controls';
import { DEFAULT_LIMIT } from '../local/graph-simulator/paging';
import { DEFAULT_SEED, type SimRequest, type SimSolution } from '../local/graph-simulator/state';
import type { WebhookDelivery } from '../local/graph-simulator/webhooks';

/** One logged Graph call. `throttled` marks an answer that was a rate-limit refusal, where the simulator says so. */
export type LoggedCall = SimRequest & { throttled?: boolean };

/** A Tech Provider's login as the page gets it: the token, and the apps selected with it. */
export interface Login {
  userId: string;
  appIds: string[];
  accessToken: string;
}

/** First of the bench's Tech Provider user IDs: 16 digits like Meta's, clear of the seed's. */
const FIRST_USER_ID = 5_000_000_000_000_000;

/** The Graph simulator's control API (`/__sim/*`, local/graph-simulator/control-routes.ts). */
export class Simulator {
  private nextUser = 0;

  constructor(private readonly baseUrl: string) {}

  setLatency(latency: Latency): Promise<Latency> {
    return this.call('PUT', '/__sim/latency', latency);
  }

  /**
   * Pages listings as Graph does (up to 100 items; a listing without `limit`, as the pipeline's and the
   * naive script's, gets 25), where the simulator's control API can (`PUT /__sim/paging`); its seed
   * pages at 2 items to make every client follow paging. Resolves with the items a page of the app
   * listing holds from now on.
   */
  async pageAsGraph(): Promise<number> {
    const response = await fetch(`${this.baseUrl}/__sim/paging`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ maxPageSize: 100 }) });
    if (response.ok) return DEFAULT_LIMIT;
    if (response.status !== 404) throw new Error(`simulator PUT /__sim/paging: HTTP ${response.status} ${await response.text()}`);
    return DEFAULT_SEED.maxPageSize;
  }

  setRateLimits(limits: RateLimit[]): Promise<RateLimit[]> {
    return this.call('PUT', '/__sim/rate-limits', limits);
  }

  addFault(rule: Omit<FaultRule, 'id' | 'phase'>): Promise<FaultRule> {
    return this.call('POST', '/__sim/faults', rule);
  }

  clearFaults(): Promise<void> {
    return this.call('DELETE', '/__sim/faults');
  }

  /** Every Graph call since the runtime started, in the order they were answered. */
  calls(): Promise<LoggedCall[]> {
    return this.call('GET', '/__sim/requests');
  }

  solutions(): Promise<SimSolution[]> {
    return this.call('GET', '/__sim/solutions');
  }

  /** Webhook deliveries the simulator still has to make (it sends them one at a time, in order). */
  async pendingWebhooks(): Promise<number> {
    return (await this.webhooks()).filter((d) => d.outcome === 'pending').length;
  }

  /** Every webhook delivery since the runtime started (or the simulator's last reset), made or still to make. */
  async webhooks(): Promise<WebhookDelivery[]> {
    return (await this.call<{ deliveries: WebhookDelivery[] }>('GET', '/__sim/webhooks')).deliveries;
  }

  /**
   * A Tech Provider of its own with `appCount` apps, logged in with all of them selected. Every login
   * is a new user with new apps: the pipeline guards each app, so sections must never share one.
   */
  async login(appCount: number): Promise<Login> {
    const userId = String(FIRST_USER_ID + this.nextUser++);
    const apps = Array.from({ length: appCount }, (_, i) => ({ id: `${userId}${String(i).padStart(3, '0')}`, name: `bench_${userId}_${i}` }));
    await this.call('POST', '/__sim/tech-providers', { userId, name: `Bench TP ${userId}`, apps });
    const appIds = apps.map((a) => a.id);
    const { accessToken } = await this.call<{ accessToken: string }>('POST', '/__sim/tokens', { userId, appIds });
    return { userId, appIds, accessToken };
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`simulator ${method} ${path}: HTTP ${response.status} ${await response.text()}`);
    return (response.status === 204 ? undefined : await response.json()) as T;
  }
}
