import type { GraphClient, TechProviderApp, TokenDebugInfo } from '../../lambdas/graph/graph-client';
import type { GraphError } from '../../lambdas/graph/graph-error';
import type { QueueMessage } from '../../lambdas/queue/create-solution-message';
import type { CreateSolutionQueue } from '../../lambdas/queue/create-solution-queue';

export class FakeQueue implements CreateSolutionQueue {
  readonly sent: QueueMessage[] = [];
  failNext = false;
  async send(messages: readonly QueueMessage[]) {
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
  /** Graph's trouble with a call, until cleared: thrown instead of the answer. */
  readonly troubles: Partial<Record<'debugToken' | 'listSelectedApps', GraphError>> = {};

  addToken(token: string, apps: TechProviderApp[], debug: Partial<TokenDebugInfo> = {}) {
    this.tokens.set(token, { apps, debug: { appId: '1000000000000001', isValid: true, userId: 'tp-user', scopes: ['manage_app_solution'], expiresAt: 0, ...debug } });
  }
  async debugToken(inputToken: string) {
    this.calls.push('debugToken');
    if (this.troubles.debugToken) throw this.troubles.debugToken;
    return this.tokens.get(inputToken)?.debug ?? { appId: '', isValid: false, scopes: [] };
  }
  async listSelectedApps(userToken: string) {
    this.calls.push('listSelectedApps');
    if (this.troubles.listSelectedApps) throw this.troubles.listSelectedApps;
    return this.tokens.get(userToken)?.apps ?? [];
  }
}
