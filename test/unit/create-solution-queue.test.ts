import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { SqsCreateSolutionQueue } from '../../lambdas/queue/create-solution-queue';

const sqsMock = mockClient(SQSClient);
const messages = (n: number) => Array.from({ length: n }, (_, i) => ({ onboardingId: 'ob-1', appId: `app-${i}`, accessToken: 'EAAsecret' }));

beforeEach(() => sqsMock.reset());

describe('SqsCreateSolutionQueue', () => {
  test('sends one message per app in SendMessageBatch chunks of at most 10', async () => {
    sqsMock.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    await new SqsCreateSolutionQueue(new SQSClient({ region: 'us-east-1' }), 'https://sqs/q').send(messages(25));

    const calls = sqsMock.commandCalls(SendMessageBatchCommand);
    expect(calls.map((c) => c.args[0].input.Entries?.length)).toEqual([10, 10, 5]);
    const bodies = calls.flatMap((c) => c.args[0].input.Entries!.map((e) => JSON.parse(e.MessageBody!)));
    expect(bodies.map((b) => b.appId)).toEqual(messages(25).map((m) => m.appId));
    expect(calls.every((c) => c.args[0].input.QueueUrl === 'https://sqs/q')).toBe(true);
  });

  test('fails when SQS rejects an entry, naming the app and the SQS code but never the token', async () => {
    sqsMock.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [{ Id: '1', Code: 'KMS.ThrottlingException', SenderFault: false }] });
    const error = await new SqsCreateSolutionQueue(new SQSClient({ region: 'us-east-1' }), 'https://sqs/q').send(messages(2)).catch((e: Error) => e);
    expect((error as Error).message).toBe('SQS rejected 1 create-solution message(s): app-1: KMS.ThrottlingException');
    expect((error as Error).message).not.toContain('EAAsecret');
  });
});
