import { Duration } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { Construct } from 'constructs';

/**
 * The page's Content-Security-Policy: its own origin, plus exactly what Facebook's JS SDK needs for
 * `FB.init` and the `FB.login` popup. Nothing may frame the page, and nothing inline runs.
 */
export function contentSecurityPolicy(sdkUrl: string): string {
  const directives: Record<string, string[]> = {
    'default-src': ["'none'"],
    // app.js, and the SDK loader, which fetches the rest of the SDK from its own origin.
    'script-src': ["'self'", new URL(sdkUrl).origin],
    // styles.css only. The SDK's injected <style> (for XFBML widgets, which the page does not use) is refused.
    'style-src': ["'self'"],
    // The favicon is an empty data: URL (web/index.html), so the page never requests one.
    'img-src': ["'self'", 'data:'],
    // config.json and the API on this origin; the SDK's login-status requests go to facebook.com.
    // Meta serves the SDK's endpoints from several facebook.com hosts (www, web, m by region and device).
    'connect-src': ["'self'", 'https://*.facebook.com'],
    // The SDK's cross-domain channel and its dialog fallbacks are facebook.com frames (www, staticxx).
    'frame-src': ['https://*.facebook.com'],
    'base-uri': ["'none'"],
    'form-action': ["'none'"],
    'frame-ancestors': ["'none'"],
  };
  return Object.entries(directives)
    .map(([directive, sources]) => `${directive} ${sources.join(' ')}`)
    .join('; ');
}

export interface SecurityHeadersProps {
  /** The Facebook SDK URL the page loads (its origin is allowed as a script source). */
  sdkUrl: string;
}

/** Security headers CloudFront adds to every response, page and API alike (overriding the origin's). */
export class SecurityHeaders extends Construct {
  readonly policy: cloudfront.ResponseHeadersPolicy;

  constructor(scope: Construct, id: string, props: SecurityHeadersProps) {
    super(scope, id);
    this.policy = new cloudfront.ResponseHeadersPolicy(this, 'Policy', {
      comment: 'MPS onboarding: HSTS, CSP (own origin + Facebook SDK), no sniffing, no framing',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: contentSecurityPolicy(props.sdkUrl), override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        // Facebook's login dialog sees this origin, never the page's path.
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override: true },
      },
    });
  }
}
