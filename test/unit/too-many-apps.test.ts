import { checkToken, OnboardingRejected } from '../../lambdas/domain/start-onboarding';
import { MAX_APPS_PER_ONBOARDING } from '../../lambdas/domain/records/ports';
import { GraphClient } from '../../lambdas/graph/graph-client';
import { startGraphSimulator, type GraphSimulator } from '../../local/graph-simulator/server';
import { rejectionOf } from '../support/rejection';

/**
 * A Tech Provider who selected more apps than one onboarding takes is told so (`TOO_MANY_APPS`),
 * however long Graph's listing is and however it pages it: the check reads no further than it takes
 * to know, so no cap on pages ever turns "too many" into Graph's trouble.
 */
let sim: GraphSimulator;
const USER = '9101';

const graph = () => new GraphClient({ baseUrl: sim.url, version: 'v25.0', timeoutMs: 2000, appListingPath: 'me/assigned_applications' });
const deps = () => ({ graph: graph(), settings: { partnerAppId: sim.state.partnerApp.id, partnerName: 'Acme', solutionNameTemplate: '{partner} × {appName}' } });
const listings = () => sim.state.requests.filter((r) => r.path === '/me/assigned_applications').length;

/** A login of a Tech Provider of its own who selected `count` apps. */
function loginWithApps(count: number): string {
  const apps = Array.from({ length: count }, (_, i) => ({ id: `${USER}${String(i).padStart(4, '0')}`, name: `app ${i}` }));
  sim.state.addTechProvider({ userId: USER, name: 'Many apps', apps });
  return sim.state.issueUserToken({ userId: USER, appIds: apps.map((a) => a.id) }).token;
}

async function setPageSize(maxPageSize: number): Promise<void> {
  const answer = await fetch(`${sim.url}/__sim/paging`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ maxPageSize }) });
  expect(answer.status).toBe(200);
}

beforeAll(async () => {
  sim = await startGraphSimulator();
});
afterAll(() => sim.stop());
beforeEach(() => sim.state.reset());

test.each([2, 1])('101 apps at %i a page: TOO_MANY_APPS, the listing read only until it held one app too many', async (pageSize) => {
  await setPageSize(pageSize);
  const token = loginWithApps(101);
  const rejection = await rejectionOf(checkToken(token, sim.state.seed.appSecret, deps()), OnboardingRejected);
  expect(rejection.code).toBe('TOO_MANY_APPS');
  expect(listings()).toBe(Math.ceil((MAX_APPS_PER_ONBOARDING + 1) / pageSize));
});

test('as many apps as one onboarding takes, one a page: every page read, every app listed', async () => {
  await setPageSize(1);
  const token = loginWithApps(MAX_APPS_PER_ONBOARDING);
  const { apps } = await checkToken(token, sim.state.seed.appSecret, deps());
  expect(apps).toHaveLength(MAX_APPS_PER_ONBOARDING);
  expect(listings()).toBe(MAX_APPS_PER_ONBOARDING);
});

test('the listing itself, bounded: at most one app more than asked for; unbounded, every app', async () => {
  const token = loginWithApps(101);
  await expect(graph().listSelectedApps(token, { atMost: 10 })).resolves.toHaveLength(11);
  await expect(graph().listSelectedApps(token, { atMost: 200 })).resolves.toHaveLength(101);
});
