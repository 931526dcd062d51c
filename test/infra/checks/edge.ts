import { Match } from 'aws-cdk-lib/assertions';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_BASE_PATH, FACEBOOK_SDK_URL } from '../../../lib/page-config';
import { ACCESS_LOG_RETENTION_DAYS, HTTP_API_THROTTLE, LOG_RETENTION_DAYS, WEBHOOK_THROTTLE } from '../../../lib/pipeline-settings';
import { arn, FULL_CONTEXT, logicalId, ref, resourceOf, synthApp, TEST_PARTNER_APP_ID } from '../app-under-test';

const { app, stack, template } = synthApp(FULL_CONTEXT);

describe('edge: HTTP API', () => {
  const { api } = stack.edge;

  it('routes GET|POST /api/webhooks/meta to the webhook function, and POST /api/onboardings, GET /api/onboardings/{onboardingId} and every other /api path to intake, payload 2.0', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route'));
    const webhookRoutes = ['GET /api/webhooks/meta', 'POST /api/webhooks/meta'];
    expect(routes.map((r) => r.Properties.RouteKey).sort()).toEqual(['ANY /api/{proxy+}', 'GET /api/onboardings/{onboardingId}', ...webhookRoutes, 'POST /api/onboardings'].sort());
    const integrations = template.findResources('AWS::ApiGatewayV2::Integration');
    for (const route of routes) {
      const integrationId = route.Properties.Target['Fn::Join'][1][1].Ref as string;
      const target = webhookRoutes.includes(route.Properties.RouteKey) ? stack.pipeline.functions.webhook : stack.pipeline.functions.intake;
      expect(integrations[integrationId]?.Properties).toMatchObject({
        IntegrationType: 'AWS_PROXY',
        IntegrationUri: arn(target),
        PayloadFormatVersion: '2.0',
      });
    }
  });

  it('one auto-deployed $default stage, throttled at HTTP_API_THROTTLE; Meta’s webhook routes at WEBHOOK_THROTTLE of their own, deployed after them', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
    const webhookLimits = { ThrottlingRateLimit: WEBHOOK_THROTTLE.rateLimit, ThrottlingBurstLimit: WEBHOOK_THROTTLE.burstLimit };
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      ApiId: ref(api.api),
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: HTTP_API_THROTTLE.rateLimit, ThrottlingBurstLimit: HTTP_API_THROTTLE.burstLimit },
      RouteSettings: { 'GET /api/webhooks/meta': webhookLimits, 'POST /api/webhooks/meta': webhookLimits },
    });
    const { DependsOn: dependsOn } = template.toJSON().Resources[logicalId(api.stage)] as { DependsOn?: string[] };
    const webhookRoutes = Object.entries(template.findResources('AWS::ApiGatewayV2::Route')).filter(([, r]) => String(r.Properties.RouteKey).endsWith('/api/webhooks/meta'));
    expect(webhookRoutes).toHaveLength(2);
    expect(dependsOn).toEqual(expect.arrayContaining(webhookRoutes.map(([id]) => id)));
  });

  it('writes a JSON access log line per request to a log group with a retention, never the body', () => {
    const stage = resourceOf(template, api.stage);
    const logGroupId = stage.Properties.AccessLogSettings.DestinationArn['Fn::GetAtt'][0] as string;
    expect(template.toJSON().Resources[logGroupId].Properties.RetentionInDays).toBe(LOG_RETENTION_DAYS);
    const format = JSON.parse(stage.Properties.AccessLogSettings.Format) as Record<string, string>;
    expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status', route: '$context.routeKey' });
    expect(JSON.stringify(format)).not.toMatch(/body|authorization/i);
  });
});

describe('edge: site', () => {
  const { site } = stack.edge;
  const distribution = () => resourceOf(template, site.distribution).Properties.DistributionConfig;
  const buckets = template.findResources('AWS::S3::Bucket');
  const contentBucketId = distribution().Origins.find((o: { S3OriginConfig?: unknown }) => o.S3OriginConfig).DomainName['Fn::GetAtt'][0] as string;

  it('the page bucket is private: public access blocked, encrypted, TLS only, readable by this distribution alone', () => {
    expect(buckets[contentBucketId]?.Properties).toMatchObject({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
    });
    expect(buckets[contentBucketId]?.Properties.WebsiteConfiguration).toBeUndefined();
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: contentBucketId },
      PolicyDocument: {
        Statement: Match.arrayEquals([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Action: 's3:GetObject',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Condition: { StringEquals: { 'AWS:SourceArn': Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([ref(site.distribution)])]) }) } },
          }),
        ]),
      },
    });
  });

  it('default behavior: the bucket through origin access control, HTTP redirected to HTTPS, security headers', () => {
    const config = distribution();
    const s3Origin = config.Origins.find((o: { Id: string }) => o.Id === config.DefaultCacheBehavior.TargetOriginId);
    expect(s3Origin.DomainName['Fn::GetAtt'][0]).toBe(contentBucketId);
    const oacId = s3Origin.OriginAccessControlId['Fn::GetAtt'][0] as string;
    expect(template.toJSON().Resources[oacId].Properties.OriginAccessControlConfig).toMatchObject({
      OriginAccessControlOriginType: 's3',
      SigningBehavior: 'always',
      SigningProtocol: 'sigv4',
    });
    expect(config.DefaultCacheBehavior).toMatchObject({
      ViewerProtocolPolicy: 'redirect-to-https',
      ResponseHeadersPolicyId: ref(site.node.findChild('SecurityHeaders').node.findChild('Policy')),
    });
    expect(config.DefaultRootObject).toBe('index.html');
  });

  it(`${API_BASE_PATH}/* goes to the HTTP API: HTTPS only, all methods, no caching, every viewer header but Host`, () => {
    const config = distribution();
    expect(config.CacheBehaviors).toHaveLength(1);
    const [behavior] = config.CacheBehaviors;
    expect(behavior).toMatchObject({
      PathPattern: `${API_BASE_PATH}/*`,
      ViewerProtocolPolicy: 'https-only',
      AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
      CachePolicyId: cloudfront.CachePolicy.CACHING_DISABLED.cachePolicyId,
      OriginRequestPolicyId: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER.originRequestPolicyId,
      ResponseHeadersPolicyId: config.DefaultCacheBehavior.ResponseHeadersPolicyId,
    });
    const apiOrigin = config.Origins.find((o: { Id: string }) => o.Id === behavior.TargetOriginId);
    expect(apiOrigin).toMatchObject({
      DomainName: { 'Fn::Join': ['', [ref(stack.edge.api.api), '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] },
      CustomOriginConfig: { OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] },
    });
    expect(config.Origins).toHaveLength(2);
  });

  it('access logs: CloudFront and the page bucket log to a private log bucket that expires them', () => {
    const logBucketId = distribution().Logging.Bucket['Fn::GetAtt'][0] as string;
    expect(Object.keys(buckets).sort()).toEqual([contentBucketId, logBucketId].sort());
    expect(buckets[contentBucketId]?.Properties.LoggingConfiguration.DestinationBucketName).toEqual({ Ref: logBucketId });
    expect(buckets[logBucketId]?.Properties).toMatchObject({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LifecycleConfiguration: { Rules: [{ ExpirationInDays: ACCESS_LOG_RETENTION_DAYS, Status: 'Enabled' }] },
    });
  });

  describe('security headers', () => {
    const headers = () => template.findResources('AWS::CloudFront::ResponseHeadersPolicy');
    const securityHeaders = () => (Object.values(headers())[0] as { Properties: any }).Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    const csp = (): Record<string, string[]> => {
      const policy = securityHeaders().ContentSecurityPolicy.ContentSecurityPolicy as string;
      return Object.fromEntries(policy.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...sources]) => [name, sources]));
    };

    it('HSTS (two years, subdomains), nosniff, no framing, a referrer policy; all override the origin', () => {
      expect(Object.keys(headers())).toHaveLength(1);
      expect(securityHeaders()).toMatchObject({
        StrictTransportSecurity: { AccessControlMaxAgeSec: 63072000, IncludeSubdomains: true, Override: true },
        ContentTypeOptions: { Override: true },
        FrameOptions: { FrameOption: 'DENY', Override: true },
        ReferrerPolicy: { ReferrerPolicy: 'strict-origin-when-cross-origin', Override: true },
        ContentSecurityPolicy: { Override: true },
      });
    });

    it("CSP: nothing by default, scripts from the page and the Facebook SDK's origin only", () => {
      const policy = csp();
      expect(policy['default-src']).toEqual(["'none'"]);
      expect(policy['script-src']).toEqual(["'self'", new URL(FACEBOOK_SDK_URL).origin]);
      expect(policy['frame-ancestors']).toEqual(["'none'"]);
      expect(policy['base-uri']).toEqual(["'none'"]);
      expect(policy['form-action']).toEqual(["'none'"]);
    });

    it('CSP: every other origin is Facebook over HTTPS; nothing inline, no eval, no wildcard scheme', () => {
      const sources = Object.values(csp()).flat();
      expect(sources).not.toEqual(expect.arrayContaining([expect.stringMatching(/unsafe-|^\*$|^https?:$|^http:\/\//)]));
      for (const source of sources.filter((s) => !s.startsWith("'") && s !== 'data:')) {
        expect(source).toMatch(/^https:\/\/([a-z*]+\.)?(facebook\.com|facebook\.net)$/);
      }
      expect(csp()['frame-src']).toEqual(['https://*.facebook.com']);
    });
  });

  describe('deployment of the page', () => {
    const deployment = () => Object.values(template.findResources('Custom::CDKBucketDeployment'))[0]!.Properties;
    /** The files each source of the deployment puts in the bucket, read from the synthesized assets. */
    const sourceFiles = () => {
      const assembly = app.synth();
      return (deployment().SourceObjectKeys as string[]).map((key) => {
        const dir = join(assembly.directory, `asset.${key.replace(/\.zip$/, '')}`);
        return Object.fromEntries(readdirSync(dir).map((file) => [file, readFileSync(join(dir, file), 'utf8')]));
      });
    };

    it('copies web/ unchanged and writes config.json generated from the deployment settings', () => {
      const [web, generated] = sourceFiles();
      const webDir = new URL('../../../web/', import.meta.url);
      expect(web).toEqual(Object.fromEntries(readdirSync(webDir).map((file) => [file, readFileSync(new URL(file, webDir), 'utf8')])));
      expect(Object.keys(web!)).toContain('index.html');
      expect(Object.keys(generated!)).toEqual(['config.json']);
      expect(JSON.parse(generated!['config.json']!)).toEqual({
        appId: TEST_PARTNER_APP_ID,
        sdkUrl: 'https://connect.facebook.net/en_US/sdk.js',
        graphApiVersion: FULL_CONTEXT.graphApiVersion,
        apiBase: '/api',
      });
    });

    it('config.json falls back to the functions\' default Graph version', () => {
      const other = synthApp();
      const assembly = other.app.synth();
      const keys = Object.values(other.template.findResources('Custom::CDKBucketDeployment'))[0]!.Properties.SourceObjectKeys as string[];
      const config = readFileSync(join(assembly.directory, `asset.${keys[1]!.replace(/\.zip$/, '')}`, 'config.json'), 'utf8');
      expect(JSON.parse(config).graphApiVersion).toBe('v25.0');
    });

    it('into the page bucket, pruning stale files, revalidated by browsers and cached a minute at the edge', () => {
      expect(deployment()).toMatchObject({
        DestinationBucketName: { Ref: contentBucketId },
        Prune: true,
        SystemMetadata: { 'cache-control': 'public, max-age=0, s-maxage=60' },
      });
    });
  });
});
