import { API_BASE_PATH } from '../lambdas/commons/api-paths';
import type { PartnerSettings } from './function-environment';
import { loadFunctionConfigs } from './partner-context';

/** Facebook's JS SDK, as the deployed page loads it (locally the simulator serves a stand-in). */
export const FACEBOOK_SDK_URL = 'https://connect.facebook.net/en_US/sdk.js';

export { API_BASE_PATH, WEBHOOK_PATH } from '../lambdas/commons/api-paths';

/** The page's `/config.json` (read by web/app.js; the local runtime serves the same shape). */
export interface PageConfig {
  appId: string;
  sdkUrl: string;
  graphApiVersion: string;
  apiBase: string;
}

/** Built at synth from the deployment's settings and written to the site bucket on deploy. */
export function pageConfig(partner: PartnerSettings): PageConfig {
  // The same Graph version the functions use, default included (lambdas/config.ts).
  const { graph } = loadFunctionConfigs(partner).intake;
  return { appId: partner.partnerAppId, sdkUrl: FACEBOOK_SDK_URL, graphApiVersion: graph.version, apiBase: API_BASE_PATH };
}
