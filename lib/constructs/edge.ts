import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { API_BASE_PATH, WEBHOOK_PATH, type PageConfig } from '../page-config';
import { OnboardingApi } from './onboarding-api';
import { OnboardingSite } from './onboarding-site';

export interface EdgeProps {
  intake: lambda.IFunction;
  webhook: lambda.IFunction;
  page: PageConfig;
}

/** What Tech Providers reach: the HTTP API, and the site that serves the page and fronts the API. */
export class Edge extends Construct {
  readonly api: OnboardingApi;
  readonly site: OnboardingSite;
  /** The page, e.g. `https://d111111abcdef8.cloudfront.net/`. */
  readonly siteUrl: string;
  /** The API's base on the page's origin. */
  readonly apiUrl: string;
  /**
   * Meta's webhook callback URL: the HTTP API's own endpoint, not the page's origin. Meta's handshake
   * carries the verify token in its query string, which CloudFront's standard logs keep and the
   * HTTP API's access log (the path only) does not.
   */
  readonly webhookUrl: string;

  constructor(scope: Construct, id: string, props: EdgeProps) {
    super(scope, id);
    this.api = new OnboardingApi(this, 'Api', { intake: props.intake, webhook: props.webhook });
    this.site = new OnboardingSite(this, 'Site', { apiDomainName: this.api.domainName, page: props.page });
    this.siteUrl = this.site.url;
    this.apiUrl = `https://${this.site.distribution.distributionDomainName}${API_BASE_PATH}`;
    this.webhookUrl = `https://${this.api.domainName}${WEBHOOK_PATH}`;
  }
}
