import { Duration, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { API_BASE_PATH, type PageConfig } from '../page-config';
import { ACCESS_LOG_RETENTION_DAYS } from '../pipeline-settings';
import { PageDeployment } from './page-deployment';
import { SecurityHeaders } from './security-headers';

export interface OnboardingSiteProps {
  /** The HTTP API's host: CloudFront sends `API_BASE_PATH/*` there. */
  apiDomainName: string;
  /** Written to the bucket as `/config.json` on every deploy. */
  page: PageConfig;
}

/**
 * The onboarding page (web/) in a private bucket behind CloudFront, which also routes the API
 * paths to the HTTP API: page and API share one origin, as in docs/design.md §3.
 */
export class OnboardingSite extends Construct {
  readonly distribution: cloudfront.Distribution;
  readonly url: string;

  constructor(scope: Construct, id: string, props: OnboardingSiteProps) {
    super(scope, id);
    const privateBucket = { blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL, encryption: s3.BucketEncryption.S3_MANAGED, enforceSSL: true } as const;
    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      ...privateBucket,
      // CloudFront's standard logging delivers its files with an ACL.
      objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(ACCESS_LOG_RETENTION_DAYS) }],
    });
    const content = new s3.Bucket(this, 'Content', {
      ...privateBucket,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 's3-content/',
    });
    const securityHeaders = new SecurityHeaders(this, 'SecurityHeaders', { sdkUrl: props.page.sdkUrl }).policy;

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'MPS onboarding: the page and its API on one origin',
      defaultRootObject: 'index.html',
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(content),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: securityHeaders,
      },
      additionalBehaviors: {
        [`${API_BASE_PATH}/*`]: {
          origin: new origins.HttpOrigin(props.apiDomainName, { protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY }),
          // Refused rather than redirected: a redirected POST would arrive as a GET, token lost.
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          // The API Gateway endpoint answers only to its own Host header.
          originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: securityHeaders,
        },
      },
      enableLogging: true,
      logBucket: accessLogs,
      logFilePrefix: 'cloudfront/',
    });

    Validations.of(this.distribution).acknowledge(
      { id: 'AwsSolutions-CFR1', reason: 'Tech Providers onboard from every country Meta serves; no geography is out of scope.' },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          "A CloudFront web ACL must live in us-east-1, and this stack deploys to any region. Abuse is bounded by the HTTP API's throttle and intake's checks; attach a web ACL where the SP's baseline requires one.",
      },
      {
        id: 'AwsSolutions-CFR4',
        reason: "With the default *.cloudfront.net certificate CloudFront fixes the viewer TLS policy; a custom domain with its own certificate can require TLSv1.2_2021.",
      },
    );
    new PageDeployment(this, 'Page', { bucket: content, page: props.page });
    this.url = `https://${this.distribution.distributionDomainName}/`;
  }
}
