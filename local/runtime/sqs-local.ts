import { startFauxqs } from 'fauxqs';
import { ACCEPT_FAILURE_QUEUE, CREATE_QUEUE } from '../../lib/pipeline-settings';

export interface LocalQueues {
  endpoint: string;
  createQueueUrl: string;
  createDlqUrl: string;
  /** Where stream records go once the accept function's retries are exhausted (the on-failure destination). */
  acceptFailureQueueUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts the fauxqs SQS emulator with the queues the stack declares, with the same attributes;
 * `maxReceiveCount` is the deployment's (context createMaxReceiveCount, else the default).
 */
export async function startQueues(maxReceiveCount: number): Promise<LocalQueues> {
  const server = await startFauxqs({ port: 0, logger: false });
  const dlq = server.createQueue('mps-create-solution-dlq', { attributes: { MessageRetentionPeriod: String(CREATE_QUEUE.dlqRetentionSeconds) } });
  const queue = server.createQueue('mps-create-solution', {
    attributes: {
      VisibilityTimeout: String(CREATE_QUEUE.visibilityTimeoutSeconds),
      MessageRetentionPeriod: String(CREATE_QUEUE.retentionSeconds),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.queueArn, maxReceiveCount: String(maxReceiveCount) }),
    },
  });
  const acceptFailures = server.createQueue('mps-accept-solution-failures', { attributes: { MessageRetentionPeriod: String(ACCEPT_FAILURE_QUEUE.retentionSeconds) } });
  return {
    endpoint: server.address,
    createQueueUrl: queue.queueUrl,
    createDlqUrl: dlq.queueUrl,
    acceptFailureQueueUrl: acceptFailures.queueUrl,
    stop: () => server.stop(),
  };
}
