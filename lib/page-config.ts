import type { PartnerSettings } from './function-environment';
import { loadFunctionConfigs } from './partner-context';

/** Facebook's JS SDK, as the deployed page loads it (locally the simulator serves a stand-in). */
export const FACEBOOK_SDK_URL = 'https://connect.facebook.net/en_US/sdk.js';

/** Where the API lives on the page's origin: CloudFront sends this prefix to the HTTP API. */
export const API_BASE_PATH = '/api';

/** Meta's webhook callback on the same origin (the URL to register in the app dashboard). */
export const WEBHOOK_PATH = `${API_BASE_PATH}/webhooks/meta`;

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
