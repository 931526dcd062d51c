import { bundleFunctions } from '../../local/runtime/function-bundles';
import { TEST_BUNDLES_DIR } from './shared-bundles';

/** Before the tests that start a runtime: the bundles they all use, built (or found up to date) once, before two runtimes could race to build them. */
export default async function bundleOnce(): Promise<void> {
  await bundleFunctions(TEST_BUNDLES_DIR);
}
