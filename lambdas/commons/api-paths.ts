/**
 * Where the API lives on the page's origin: the handlers' routers, the CDK routes and CloudFront's
 * behaviour, and the local gateway all read these, so a route can never drift from its handler.
 */
export const API_BASE_PATH = '/api';

/** Meta's webhook callback (the URL to register in the app dashboard). */
export const WEBHOOK_PATH = `${API_BASE_PATH}/webhooks/meta`;
