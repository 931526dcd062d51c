import { jest } from '@jest/globals';
import { App } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defineApp } from '../../../lib/mps-onboarding-app';
import { ContextError, readDeploymentSettings } from '../../../lib/partner-context';
import { CREATE_QUEUE } from '../../../lib/pipeline-settings';
import { cdkJsonContext, FULL_CONTEXT, logicalId, ref, synthApp } from '../app-under-test';

const synthesized = synthApp(FULL_CONTEXT);

describe('synth (the path of `cdk synth`: bin/app.ts → defineApp → app.synth, cdk-nag included)', () => {
  it('produces the one stack with its template and a validation report, with nothing but the sample-app-ID warning', () => {
    // CDK prints the validation report, the sample-app-ID warning included, on stderr.
    const report = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const { app } = synthApp({ partnerAppId: cdkJsonContext.partnerAppId });
    const printed = report.mock.calls.flat().join('\n');
    report.mockRestore();
    expect(printed).toContain('partnerAppId is the sample value');
    const assembly = app.synth();
    expect(assembly.stacks.map((s) => s.stackName)).toEqual(['MpsOnboarding']);
    const stack = assembly.getStackByName('MpsOnboarding');
    expect(Object.keys(stack.template.Resources).length).toBeGreaterThan(50);
    expect(stack.messages.map((m) => `${m.level} ${m.entry.data}`)).toEqual([expect.stringMatching(/^warning partnerAppId is the sample value 1000000000000001/)]);
    expect(existsSync(join(assembly.directory, 'validation-report.json'))).toBe(true);
  });

  it('a real partner app ID synthesizes without any warning', () => {
    expect(synthesized.app.synth().getStackByName('MpsOnboarding').messages).toEqual([]);
  });

  it('fails on a cdk-nag finding nobody acknowledged, naming the rule', () => {
    const app = new App({ context: { ...cdkJsonContext, 'aws:cdk:bundling-stacks': [] } });
    const stack = defineApp(app);
    new sqs.Queue(stack, 'StrayQueue', { enforceSSL: true });
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS3[\s\S]*StrayQueue/);
  });
});

describe('stack outputs', () => {
  it('outputs what the README and the ops CLI need', () => {
    const { stack, template } = synthesized;
    const { data, edge, monitoring } = stack;
    const domain = { 'Fn::GetAtt': [logicalId(edge.site.distribution), 'DomainName'] };
    const outputs = {
      SiteUrl: { 'Fn::Join': ['', ['https://', domain, '/']] },
      ApiUrl: { 'Fn::Join': ['', ['https://', domain, '/api']] },
      // Straight to the HTTP API: the handshake's verify token stays out of CloudFront's logs.
      WebhookUrl: { 'Fn::Join': ['', ['https://', ref(edge.api.api), '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, '/api/webhooks/meta']] },
      TableName: ref(data.table),
      CreateQueueUrl: ref(data.createQueue),
      CreateDlqUrl: ref(data.createDlq),
      AcceptFailureQueueUrl: ref(data.acceptFailureQueue),
      ShareFailureQueueUrl: ref(data.shareFailureQueue),
      AcceptWakeQueueUrl: ref(data.acceptWakeQueue),
      ShareWakeQueueUrl: ref(data.shareWakeQueue),
      WakeDlqUrl: ref(data.wakeDlq),
      SystemUserTokenSecretArn: ref(data.systemUserToken),
      AppSecretArn: ref(data.appSecret),
      WebhookVerifyTokenSecretArn: ref(data.webhookVerifyToken),
      AlarmTopicArn: ref(monitoring.topic),
    };
    for (const [name, value] of Object.entries(outputs)) template.hasOutput(name, { Value: value });
    template.hasOutput('DashboardUrl', { Value: { 'Fn::Join': ['', Match.arrayWith([ref(monitoring.dashboard.dashboard)])] } });
    expect(Object.keys(template.toJSON().Outputs).sort()).toEqual([...Object.keys(outputs), 'DashboardUrl'].sort());
  });
});

describe('deployment settings from CDK context', () => {
  /** What every deployment must say besides its settings under test: our business and system user. */
  const BUSINESS = { businessId: '2949482758682047', systemUserId: '61550000000001' } as const;
  const settings = (context: Record<string, unknown>, business: Record<string, unknown> = BUSINESS) =>
    readDeploymentSettings((key) => new App({ context: { ...business, ...context } }).node.tryGetContext(key));
  /** The one line `cdk synth` prints for a bad context (bin/app.ts), or undefined when the context is fine. */
  const failure = (context: Record<string, unknown>, business?: Record<string, unknown>) => {
    try {
      settings(context, business);
      return undefined;
    } catch (error) {
      expect(error).toBeInstanceOf(ContextError);
      return (error as Error).message;
    }
  };

  it('requires partnerAppId, with a message that says how to give it', () => {
    expect(() => settings({})).toThrow(ContextError);
    // Before anything else: the app ID is the first thing a new deployment must give.
    expect(() => settings({}, {})).toThrow(/"partnerAppId" is required/);
    expect(() => settings({})).toThrow(/"partnerAppId" is required.*-c partnerAppId=/);
  });

  it('rejects a non-numeric app ID and a JSON number (which loses digits)', () => {
    expect(() => settings({ partnerAppId: 'abc' })).toThrow(/numeric app ID/);
    expect(() => settings({ partnerAppId: 1000000000000001 })).toThrow(/written as a string/);
  });

  it('fails synth on values the functions would reject at cold start', () => {
    expect(() => settings({ partnerAppId: '1', graphApiVersion: '25' })).toThrow(/GRAPH_API_VERSION/);
    expect(() => settings({ partnerAppId: '1', ownerPermissions: 'MESSAGING' })).toThrow(/exactly one of OWNER_PERMISSIONS and PARTNER_PERMISSIONS/);
    expect(() => settings({ partnerAppId: '1', alarmEmail: 'nobody' })).toThrow(/alarmEmail/);
    expect(() => settings({ partnerAppId: '1', acceptRetryHours: 'a day' })).toThrow(/ACCEPT_RETRY_PERIOD_SECONDS/);
    expect(() => settings({ partnerAppId: '1', acceptRetryHours: '0' })).toThrow(/ACCEPT_RETRY_PERIOD_SECONDS/);
    expect(settings({ partnerAppId: '1', acceptRetryHours: '48' }).partner.acceptRetryHours).toBe('48');
  });

  it('createMaxReceiveCount: a whole number from 1 to 1000, given as a string or a number', () => {
    expect(settings({ partnerAppId: '1' }).createMaxReceiveCount).toBe(CREATE_QUEUE.maxReceiveCount);
    expect(settings({ partnerAppId: '1', createMaxReceiveCount: '12' }).createMaxReceiveCount).toBe(12);
    expect(settings({ partnerAppId: '1', createMaxReceiveCount: 1000 }).createMaxReceiveCount).toBe(1000);
    for (const bad of ['0', 0, 1001, '2.5', 2.5, 'five', true]) {
      expect(() => settings({ partnerAppId: '1', createMaxReceiveCount: bad })).toThrow(/"createMaxReceiveCount" must be a whole number from 1 to 1000/);
    }
  });

  it('requires businessId and systemUserId, each with a message that says what it is and how to give it', () => {
    expect(failure({ partnerAppId: '1' }, { systemUserId: '2' })).toMatch(/^CDK context "businessId" is required: your business portfolio ID.*-c businessId=<id>\)$/);
    expect(failure({ partnerAppId: '1' }, { businessId: '2' })).toMatch(/^CDK context "systemUserId" is required: .*system user.*-c systemUserId=<id>\)$/);
    expect(failure({ partnerAppId: '1', businessId: 2949482758682047 })).toMatch(/"businessId" must be a numeric business portfolio ID written as a string/);
    expect(failure({ partnerAppId: '1', systemUserId: 'me' })).toMatch(/"systemUserId" must be a numeric system user ID/);
  });

  it('a currency not in Meta\'s list fails with one line naming the context key, the variable and the list', () => {
    const message = failure({ partnerAppId: '1', creditLineId: '1972385232742146', creditCurrency: 'CHF' })!;
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toMatch(/context "creditCurrency" \(CREDIT_CURRENCY\): must be one of AUD, EUR, GBP, IDR, INR, USD .*got "CHF"/);
    expect(failure({ partnerAppId: '1', creditCurrency: 'EUR' })).toBeUndefined();
  });

  it('the credit line and the weekly limit are checked as the functions check them', () => {
    expect(failure({ partnerAppId: '1', creditLineId: 'line-1' })).toMatch(/context "creditLineId" \(CREDIT_LINE_ID\): a numeric credit line ID/);
    expect(failure({ partnerAppId: '1', weeklyClientLimit: 'lots' })).toMatch(/context "weeklyClientLimit" \(WEEKLY_CLIENT_LIMIT\)/);
    expect(failure({ partnerAppId: '1', weeklyClientLimit: '0' })).toMatch(/WEEKLY_CLIENT_LIMIT/);
    // No credit line: sharing is off, and that is a valid deployment.
    expect(settings({ partnerAppId: '1' }).partner.creditLineId).toBeUndefined();
  });

  it('passes the optional settings through', () => {
    expect(
      settings({ partnerAppId: '42', partnerName: 'Acme', graphApiVersion: 'v25.0', partnerPermissions: 'MESSAGING', alarmEmail: 'a@b.c', createMaxReceiveCount: '3', creditLineId: '7', creditCurrency: 'INR', weeklyClientLimit: '10' }),
    ).toEqual({
      partner: { partnerAppId: '42', ...BUSINESS, partnerName: 'Acme', graphApiVersion: 'v25.0', partnerPermissions: 'MESSAGING', creditLineId: '7', creditCurrency: 'INR', weeklyClientLimit: '10' },
      alarmEmail: 'a@b.c',
      createMaxReceiveCount: 3,
    });
  });
});
