import { mkdtempSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleFunctions } from '../../local/runtime/function-bundles';

/** The local runtime's function bundles: built with the stack's options, loadable, built again only when needed. */
let outDir: string;
beforeAll(() => {
  outDir = join(mkdtempSync(join(tmpdir(), 'bundles-')), 'bundles');
});
afterAll(() => rmSync(join(outDir, '..'), { recursive: true, force: true }));

test('each function is one ESM bundle exporting its handler; the same sources are not bundled twice', async () => {
  const bundles = await bundleFunctions(outDir);
  expect(Object.keys(bundles.handlers).sort()).toEqual(['acceptSolution', 'createSolution', 'discoverClients', 'intake', 'reconcile', 'shareCredit', 'webhook']);
  Object.assign(process.env, { TABLE_NAME: 't', APP_SECRET_ID: 'a', WEBHOOK_VERIFY_TOKEN_SECRET_ID: 'w', PARTNER_APP_ID: '1000000000000001', BUSINESS_ID: '2949482758682047' });
  const webhook = (await import(pathToFileURL(bundles.handlers.webhook).href)) as { handler?: unknown };
  expect(typeof webhook.handler).toBe('function');
  const built = statSync(bundles.handlers.intake).mtimeMs;

  await expect(bundleFunctions(outDir)).resolves.toEqual(bundles);
  expect(statSync(bundles.handlers.intake).mtimeMs).toBe(built);

  // Without the record of what they were built from, they are built again.
  unlinkSync(join(outDir, 'sources.sha256'));
  await bundleFunctions(outDir);
  expect(statSync(bundles.handlers.intake).mtimeMs).toBeGreaterThan(built);
}, 60_000);
