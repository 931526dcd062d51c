import { takeClientNews, type ClientNews, type ClientNewsDeps } from '../../lambdas/domain/clients/client-news';
import { discoverClients } from '../../lambdas/domain/clients/discover-clients';
import type { SolutionRecord } from '../../lambdas/domain/records';
import { readDelivery, type WebhookDelivery } from '../../lambdas/webhook/partner-solutions';
import { SCHEDULE } from '../../lambdas/schedule';
import { GraphError } from '../../lambdas/graph/graph-error';
import type { SharedClientWaba } from '../../lambdas/graph/client-graph-client';
import { memoryClientStore, ourSolution } from '../support/memory-client-store';

const SOLUTION = '1715120619246906';
const WABA = '980198427658004';
const OWNER = '2329417887457253';
const APP = '634974688087057';
const now = new Date('2026-12-07T10:00:00.000Z');
const US = { partnerAppId: '1000000000000001', businessId: '2949482758682047' };
const at = (minute: number) => new Date(Date.UTC(2026, 11, 7, 9, minute));

function setup(solutions: SolutionRecord[] = [ourSolution(SOLUTION)]) {
  const { clients, ports } = memoryClientStore();
  const deps: ClientNewsDeps = { clients, solutions: { findBySolutionId: async (id) => solutions.filter((s) => s.solutionId === id) }, clock: () => now };
  return { clients, ports, deps };
}
const joined = (event: 'PARTNER_ADDED' | 'PARTNER_APP_INSTALLED', observedAt: Date, extra: Partial<ClientNews> = {}): ClientNews =>
  ({ kind: 'joined', event, wabaId: WABA, ownerBusinessId: OWNER, solutionId: SOLUTION, observedAt, ...extra }) as ClientNews;
const left = (event: 'PARTNER_REMOVED' | 'PARTNER_APP_UNINSTALLED', observedAt: Date): ClientNews => ({ kind: 'left', event, wabaId: WABA, ownerBusinessId: OWNER, observedAt });

describe('a client’s news', () => {
  it('records a client of ours once, whatever the order, repeats and events; each event noted once', async () => {
    const { ports, deps } = setup();
    const first = await takeClientNews(joined('PARTNER_APP_INSTALLED', at(5), { partnerAppId: '1000000000000001' } as Partial<ClientNews>), deps, US);
    expect(first).toMatchObject({ kind: 'recorded', weeklyCount: 1, client: { status: 'NEW', appId: APP, onboardingId: 'onb-1', ownerBusinessId: OWNER, partnerAppId: '1000000000000001' } });
    for (const news of [joined('PARTNER_APP_INSTALLED', at(5)), joined('PARTNER_ADDED', at(1)), joined('PARTNER_ADDED', at(9))]) {
      expect(await takeClientNews(news, deps, US)).toMatchObject({ kind: 'known' });
    }
    expect(ports.clients.size).toBe(1);
    expect(await ports.joinedSince(APP, new Date(now.getTime() - 7 * 86_400_000))).toBe(1);
    const client = (await ports.getClient({ solutionId: SOLUTION, wabaId: WABA }))!;
    expect(client.toldBy).toEqual({ PARTNER_APP_INSTALLED: at(5).toISOString(), PARTNER_ADDED: at(1).toISOString() });
    expect(client.history).toHaveLength(1);
  });

  it('never records a client of a solution that is not ours, not live with us, or of none', async () => {
    const { ports, deps } = setup([ourSolution(SOLUTION, 'DEACTIVATED'), ourSolution('222', 'CREATED')]);
    expect(await takeClientNews(joined('PARTNER_ADDED', at(1)), deps, US)).toEqual({ kind: 'not-ours', solutionId: SOLUTION });
    expect(await takeClientNews(joined('PARTNER_ADDED', at(1), { solutionId: '222' } as Partial<ClientNews>), deps, US)).toEqual({ kind: 'not-ours', solutionId: '222' });
    expect(await takeClientNews(joined('PARTNER_ADDED', at(1), { solutionId: '999' } as Partial<ClientNews>), deps, US)).toMatchObject({ kind: 'not-ours' });
    expect(await takeClientNews({ kind: 'joined', event: 'PARTNER_ADDED', wabaId: WABA, ownerBusinessId: OWNER, observedAt: at(1) }, deps, US)).toEqual({ kind: 'not-ours' });
    expect(ports.clients.size).toBe(0);
    expect(ports.counts.size).toBe(0);
  });

  it('moves the client to REMOVED when it leaves, but not on news from before it joined', async () => {
    const { clients, deps } = setup();
    await takeClientNews(joined('PARTNER_ADDED', at(5)), deps, US);
    expect(await takeClientNews(left('PARTNER_REMOVED', at(4)), deps, US)).toEqual({ kind: 'unknown-client' });
    expect((await clients.getClient({ solutionId: SOLUTION, wabaId: WABA }))!.status).toBe('NEW');
    // Leaving another partner is not leaving us.
    expect(await takeClientNews({ ...left('PARTNER_APP_UNINSTALLED', at(6)), partnerAppId: '634974688087057' } as ClientNews, deps, US)).toEqual({ kind: 'another-partner' });
    expect(await takeClientNews({ ...left('PARTNER_REMOVED', at(6)), partnerBusinessId: '102290129340398' } as ClientNews, deps, US)).toEqual({ kind: 'another-partner' });
    expect((await clients.getClient({ solutionId: SOLUTION, wabaId: WABA }))!.status).toBe('NEW');
    expect(await takeClientNews(left('PARTNER_APP_UNINSTALLED', at(6)), deps, US)).toEqual({ kind: 'removed', clients: [{ solutionId: SOLUTION, wabaId: WABA }] });
    expect((await clients.getClient({ solutionId: SOLUTION, wabaId: WABA }))!).toMatchObject({ status: 'REMOVED', removedBy: 'PARTNER_APP_UNINSTALLED', removedAt: at(6).toISOString() });
    // A late repeat of the join (its own time, before the leaving) changes nothing further.
    expect(await takeClientNews(joined('PARTNER_ADDED', at(5)), deps, US)).toMatchObject({ kind: 'known' });
    expect((await clients.getClient({ solutionId: SOLUTION, wabaId: WABA }))!.status).toBe('REMOVED');
    expect(await clients.countJoined(SOLUTION)).toBe(0);
    // Joining again after the leaving: NEW once more, counted again, its attempts and error cleared.
    expect(await takeClientNews(joined('PARTNER_ADDED', at(7)), deps, US)).toEqual({ kind: 'rejoined', client: { solutionId: SOLUTION, wabaId: WABA } });
    const again = (await clients.getClient({ solutionId: SOLUTION, wabaId: WABA }))!;
    expect(again).toMatchObject({ status: 'NEW' });
    expect([again.removedAt, again.removedBy]).toEqual([undefined, undefined]);
    expect(again.history?.at(-1)).toMatchObject({ status: 'NEW', by: 'webhook', note: 'joined again (PARTNER_ADDED)' });
    expect(await clients.countJoined(SOLUTION)).toBe(1);
  });

  it('a leaving that comes before its joining: the client is recorded gone, not counted in its solution, never shared', async () => {
    const { clients, deps } = setup();
    expect(await takeClientNews(left('PARTNER_REMOVED', at(6)), deps, US)).toEqual({ kind: 'unknown-client' });
    const result = await takeClientNews(joined('PARTNER_ADDED', at(5)), deps, US);
    expect(result).toMatchObject({ kind: 'recorded', client: { status: 'REMOVED', removedBy: 'PARTNER_REMOVED', removedAt: at(6).toISOString() } });
    expect(await clients.countJoined(SOLUTION)).toBe(0);
    // A leaving from another partner is not ours to remember.
    expect(await takeClientNews({ ...left('PARTNER_REMOVED', at(9)), wabaId: 'other', partnerBusinessId: '102290129340398' } as ClientNews, deps, US)).toEqual({ kind: 'another-partner' });
    expect(await clients.wabaLeft('other')).toBeUndefined();
  });

  it('counts each Tech Provider app’s new clients over the last 7 days', async () => {
    const { deps } = setup();
    const counts: number[] = [];
    for (const waba of ['1', '2', '3']) {
      const result = await takeClientNews({ ...joined('PARTNER_ADDED', at(1)), wabaId: waba } as ClientNews, deps, US);
      if (result.kind === 'recorded') counts.push(result.weeklyCount);
    }
    expect(counts).toEqual([1, 2, 3]);
  });
});

describe('the daily pass', () => {
  /** A listing of client WABAs in pages, with Graph's `after` cursors (`p1`, `p2`, …), and the solutions of each. */
  function listing(pages: SharedClientWaba[][], solutionsOf: (wabaId: string) => { id: string }[]) {
    const asked: (string | undefined)[] = [];
    const graph = {
      async *clientWabas(_business: string, _token: string, after?: string) {
        asked.push(after);
        for (let i = after === undefined ? 0 : Number(after.slice(1)); i < pages.length; i++) yield { items: pages[i]!, after: `p${i + 1}`, more: i + 1 < pages.length };
      },
      wabaSolutions: async (wabaId: string) => {
        if (wabaId === 'refused') throw new GraphError('permanent', { code: 200, message: '(#200) Permissions error' }, 403);
        return solutionsOf(wabaId);
      },
    };
    let saved: string | undefined;
    const cursor = { read: async () => saved, save: async (after: string | undefined) => void (saved = after) };
    return { graph, cursor, asked, saved: () => saved };
  }

  it('records a WABA shared with us that no webhook told of, through one of our solutions, skips known ones, and goes on past one Graph refuses', async () => {
    const { ports, deps } = setup();
    await takeClientNews(joined('PARTNER_ADDED', at(1)), deps, US);
    const { graph, cursor, saved } = listing(
      [
        [{ id: WABA, ownerBusinessId: OWNER }, { id: 'refused', ownerBusinessId: 'b5' }, { id: 'missed', ownerBusinessId: 'b2' }],
        [{ id: 'elsewhere', ownerBusinessId: 'b3' }, { id: 'no-owner' }],
      ],
      (wabaId) => (wabaId === 'elsewhere' ? [{ id: 'not-ours' }] : [{ id: SOLUTION }]),
    );
    const pass = await discoverClients({ ...deps, graph, cursor, systemUserToken: async () => 'system-user', settings: { businessId: '2949482758682047', maxWabasPerPass: 10 } });
    expect(pass).toMatchObject({ read: 5, complete: true, withoutOwner: ['no-owner'], refused: [{ wabaId: 'refused', error: { code: 200, message: '(#200) Permissions error' } }] });
    expect(pass.found.map((f) => [f.wabaId, f.outcome.kind])).toEqual([
      ['missed', 'recorded'],
      ['elsewhere', 'not-ours'],
    ]);
    expect((await ports.getClient({ solutionId: SOLUTION, wabaId: 'missed' }))!.toldBy).toEqual({ DAILY_PASS: now.toISOString() });
    expect(saved()).toBeUndefined();
  });

  it('past its bound, a pass stops at a page’s start and the next goes on from there: the whole listing is read over the passes', async () => {
    const { ports, deps } = setup();
    const pages = [0, 1, 2].map((p) => [0, 1].map((w) => ({ id: `w${p}${w}`, ownerBusinessId: 'b' })));
    const { graph, cursor, asked, saved } = listing(pages, () => [{ id: SOLUTION }]);
    const pass = () => discoverClients({ ...deps, graph, cursor, systemUserToken: async () => 'system-user', settings: { businessId: '2949482758682047', maxWabasPerPass: 3 } });
    expect(await pass()).toMatchObject({ read: 2, complete: false });
    expect(saved()).toBe('p1');
    expect(await pass()).toMatchObject({ read: 2, complete: false });
    expect(await pass()).toMatchObject({ read: 2, complete: true });
    expect(saved()).toBeUndefined();
    expect(asked).toEqual([undefined, 'p1', 'p2']);
    expect(ports.clients.size).toBe(6);
    // Read to its end: the next pass starts from the first page again.
    expect(await pass()).toMatchObject({ read: 2, complete: false });
    expect(asked.at(-1)).toBeUndefined();
  });
});

describe('reading account_update from a signed delivery', () => {
  const envelope = (values: unknown[]) =>
    JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '2949482758682047', time: 1764900000, changes: values.map((value) => ({ field: 'account_update', value })) }] });

  it('takes the join and leave events, ignores other events, and counts a bad waba_info without failing the rest', () => {
    const delivery = readDelivery(
      envelope([
        { event: 'PARTNER_ADDED', waba_info: { waba_id: WABA, owner_business_id: OWNER, solution_id: SOLUTION, solution_partner_business_ids: ['1', '2'] } },
        { event: 'PARTNER_APP_INSTALLED', waba_info: { waba_id: WABA, owner_business_id: OWNER, solution_id: SOLUTION, partner_app_id: '1000000000000001' } },
        { event: 'PARTNER_REMOVED', waba_info: { waba_id: WABA, owner_business_id: OWNER } },
        { event: 'PARTNER_ADDED', waba_info: { owner_business_id: OWNER, solution_id: SOLUTION } },
        { event: 'PARTNER_ADDED', waba_info: { waba_id: 980198427658004, owner_business_id: OWNER } },
        { event: 'PARTNER_APP_UNINSTALLED' },
        { event: 'ACCOUNT_VIOLATION', violation_info: {} },
        { event: 'VOLUME_BASED_PRICING_TIER_UPDATE' },
      ]),
      now,
      SCHEDULE.webhookMaxChanges,
    ) as WebhookDelivery;
    expect(delivery.clients.map((c) => [c.kind, c.event, 'solutionId' in c ? c.solutionId : undefined])).toEqual([
      ['joined', 'PARTNER_ADDED', SOLUTION],
      ['joined', 'PARTNER_APP_INSTALLED', SOLUTION],
      ['left', 'PARTNER_REMOVED', undefined],
    ]);
    expect(delivery.clients[0]!.observedAt.toISOString()).toBe('2025-12-05T02:00:00.000Z');
    expect(delivery).toMatchObject({ clientsMalformed: 3, ignored: 2, news: [] });
  });
});
