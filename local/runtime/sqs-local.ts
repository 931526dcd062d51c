import { CreateQueueCommand, GetQueueAttributesCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { buildApp } from 'fauxqs';
import { ACCEPT_FAILURE_QUEUE, CREATE_QUEUE, SHARE_FAILURE_QUEUE, WAKE_QUEUES } from '../../lib/pipeline-settings';
import { loopbackRefusal } from './loopback-host';
import { openQueueStore } from './queue-store';

export interface LocalQueues {
  endpoint: string;
  createQueueUrl: string;
  createDlqUrl: string;
  /** Where stream records go once the accept function's retries are exhausted (the on-failure destination). */
  acceptFailureQueueUrl: string;
  /** The same for the share worker. */
  shareFailureQueueUrl: string;
  /** Each stream worker's wake queue (its retries' wake-ups), and their DLQ. */
  acceptWakeQueueUrl: string;
  shareWakeQueueUrl: string;
  wakeDlqUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts the fauxqs SQS emulator on 127.0.0.1 with the queues the stack declares, with the same
 * attributes; `maxReceiveCount` is the deployment's (context createMaxReceiveCount, else the default).
 * Queues and messages are kept in `storeDir`, message bodies encrypted (queue-store.ts): a restart,
 * even after a `kill -9`, finds them as it left them.
 */
export async function startQueues(maxReceiveCount: number, region: string, storeDir: string): Promise<LocalQueues> {
  // Not startFauxqs: it listens on every interface (its `host` option only names the host in queue
  // URLs), and the create queue holds Tech Provider tokens. Its app, listening on loopback only.
  const store = await openQueueStore(storeDir);
  const app = buildApp({ logger: false, stores: store.stores });
  // Once no request is left to write.
  app.addHook('onClose', async () => store.close());
  // Only this machine's own callers (local/runtime/loopback-host.ts).
  app.addHook('onRequest', async (request: { headers: { host?: string; origin?: string } }, reply: { code(status: number): { send(): unknown } }) => {
    const refusal = loopbackRefusal(request.headers);
    if (refusal) await reply.code(refusal).send();
  });
  const endpoint = await app.listen({ port: 0, host: '127.0.0.1' });
  const sqs = new SQSClient({ region, endpoint, useQueueUrlAsEndpoint: false, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  // The stack's attributes, whatever an earlier run set, as a deploy updates them.
  const createQueue = async (QueueName: string, Attributes: Record<string, string>) => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName }));
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes }));
    return QueueUrl!;
  };
  try {
    store.restore(endpoint);
    const queueArn = async (QueueUrl: string) => (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn;
    const createDlqUrl = await createQueue('mps-create-solution-dlq', { MessageRetentionPeriod: String(CREATE_QUEUE.dlqRetentionSeconds) });
    const createQueueUrl = await createQueue('mps-create-solution', {
      VisibilityTimeout: String(CREATE_QUEUE.visibilityTimeoutSeconds),
      MessageRetentionPeriod: String(CREATE_QUEUE.retentionSeconds),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: await queueArn(createDlqUrl), maxReceiveCount: String(maxReceiveCount) }),
    });
    const acceptFailureQueueUrl = await createQueue('mps-accept-solution-failures', { MessageRetentionPeriod: String(ACCEPT_FAILURE_QUEUE.retentionSeconds) });
    const shareFailureQueueUrl = await createQueue('mps-share-credit-failures', { MessageRetentionPeriod: String(SHARE_FAILURE_QUEUE.retentionSeconds) });
    const wakeDlqUrl = await createQueue('mps-wake-dlq', { MessageRetentionPeriod: String(WAKE_QUEUES.dlqRetentionSeconds) });
    const wakeDlqArn = await queueArn(wakeDlqUrl);
    const wakeQueue = (name: string, worker: keyof typeof WAKE_QUEUES.visibilityTimeoutSeconds) =>
      createQueue(name, {
        VisibilityTimeout: String(WAKE_QUEUES.visibilityTimeoutSeconds[worker]),
        MessageRetentionPeriod: String(WAKE_QUEUES.retentionSeconds),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: wakeDlqArn, maxReceiveCount: String(WAKE_QUEUES.maxReceiveCount) }),
      });
    const acceptWakeQueueUrl = await wakeQueue('mps-accept-solution-wake', 'acceptSolution');
    const shareWakeQueueUrl = await wakeQueue('mps-share-credit-wake', 'shareCredit');
    return { endpoint, createQueueUrl, createDlqUrl, acceptFailureQueueUrl, shareFailureQueueUrl, acceptWakeQueueUrl, shareWakeQueueUrl, wakeDlqUrl, stop: () => app.close() };
  } catch (error) {
    await app.close();
    throw error;
  } finally {
    sqs.destroy();
  }
}
