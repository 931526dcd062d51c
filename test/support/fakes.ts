import type { GraphClient, TechProviderApp, TokenDebugInfo } from '../../lambdas/graph/graph-client';
import type { CreateSolutionMessage } from '../../lambdas/queue/create-solution-message';
import type { CreateSolutionQueue } from '../../lambdas/queue/create-solution-queue';
import type { Onboarding } from '../../lambdas/domain/records';
import type { OnboardingRecords } from '../../lambdas/domain/records/ports';

/** An in-memory stand-in for the onboarding part of the record store, with its uniqueness rule. */
export class FakeOnboardingStore implements OnboardingRecords {
  readonly byFingerprint = new Map<string, string>();
  readonly onboardings = new Map<string, Onboarding>();

  async findOnboardingIdByFingerprint(fingerprint: string) {
    return this.byFingerprint.get(fingerprint);
  }
  async createOnboarding(onboarding: Onboarding) {
    if (this.byFingerprint.has(onboarding.onboarding.tokenFingerprint)) return 'duplicate' as const;
    this.byFingerprint.set(onboarding.onboarding.tokenFingerprint, onboarding.onboarding.onboardingId);
    this.onboardings.set(onboarding.onboarding.onboardingId, structuredClone(onboarding));
    return 'created' as const;
  }
  async getOnboarding(id: string) {
    const found = this.onboardings.get(id);
    return found && structuredClone(found);
  }
  async markEnqueued(id: string, at: Date) {
    const found = this.onboardings.get(id);
    if (found) found.onboarding.enqueuedAt = at.toISOString();
  }
}

export class FakeQueue implements CreateSolutionQueue {
  readonly sent: CreateSolutionMessage[] = [];
  failNext = false;
  async send(messages: readonly CreateSolutionMessage[]) {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('SQS unavailable');
    }
    this.sent.push(...messages);
  }
}

/** Graph as intake sees it: a table of known tokens. */
export class FakeIntakeGraph implements Pick<GraphClient, 'debugToken' | 'listSelectedApps'> {
  readonly tokens = new Map<string, { debug: TokenDebugInfo; apps: TechProviderApp[] }>();
  readonly calls: string[] = [];

  addToken(token: string, apps: TechProviderApp[], debug: Partial<TokenDebugInfo> = {}) {
    this.tokens.set(token, { apps, debug: { appId: '1000000000000001', isValid: true, userId: 'tp-user', scopes: ['manage_app_solution'], expiresAt: 0, ...debug } });
  }
  async debugToken(inputToken: string) {
    this.calls.push('debugToken');
    return this.tokens.get(inputToken)?.debug ?? { appId: '', isValid: false, scopes: [] };
  }
  async listSelectedApps(userToken: string) {
    this.calls.push('listSelectedApps');
    return this.tokens.get(userToken)?.apps ?? [];
  }
}
