import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { shareWakeSchema, SqsWakeQueue, wakeDelaySeconds } from '../../lambdas/queue/wake-queue';
import { SCHEDULE } from '../../lambdas/schedule';

const sqsMock = mockClient(SQSClient);
beforeEach(() => sqsMock.reset());

const NOW = new Date('2026-12-07T10:00:00.000Z');
const after = (ms: number) => new Date(NOW.getTime() + ms).toISOString();
const accepts = () => new SqsWakeQueue(new SQSClient({ region: 'us-east-1' }), 'https://sqs/wake', 'accept', () => NOW);
const received = (body: unknown): SQSRecord => ({ messageId: 'm-1', body: typeof body === 'string' ? body : JSON.stringify(body) }) as SQSRecord;
const sent = () => sqsMock.commandCalls(SendMessageCommand).map((c) => ({ delay: c.args[0].input.DelaySeconds, body: JSON.parse(c.args[0].input.MessageBody!), url: c.args[0].input.QueueUrl }));

describe('wake-ups', () => {
  test('are delayed until their due time, rounded up to SQS’s whole seconds, at most SQS’s 15 minutes', () => {
    expect(wakeDelaySeconds(after(4_200), NOW)).toBe(5);
    expect(wakeDelaySeconds(after(60_000), NOW)).toBe(60);
    expect(wakeDelaySeconds(after(-3_000), NOW)).toBe(0);
    expect(wakeDelaySeconds(after(3_600_000), NOW)).toBe(900);
    expect(SCHEDULE.wakeQueues.maxDelaySeconds).toBe(900);
  });

  test('a scheduled retry’s wake-up carries its kind, the item’s keys and the due time, nothing else', async () => {
    sqsMock.on(SendMessageCommand).resolves({});
    await accepts().wake({ onboardingId: 'ob-1', appId: '111' }, new Date(after(7_500)));
    expect(sent()).toEqual([{ delay: 8, body: { kind: 'accept', onboardingId: 'ob-1', appId: '111', dueAt: after(7_500) }, url: 'https://sqs/wake' }]);
  });

  test('a send SQS refuses fails (the domain reports it; the record keeps the retry)', async () => {
    sqsMock.on(SendMessageCommand).rejects(new Error('AccessDenied'));
    await expect(accepts().wake({ onboardingId: 'ob-1', appId: '111' }, new Date(after(1_000)))).rejects.toThrow('AccessDenied');
  });

  test('one due, or past due, is taken as it is', async () => {
    const wake = { kind: 'accept', onboardingId: 'ob-1', appId: '111', dueAt: after(-1) };
    await expect(accepts().due(received(wake))).resolves.toEqual(wake);
    expect(sent()).toEqual([]);
  });

  test('one that comes early (a wait past 15 minutes) is sent again for the rest of its wait, and not taken', async () => {
    sqsMock.on(SendMessageCommand).resolves({});
    const wake = { kind: 'accept', onboardingId: 'ob-1', appId: '111', dueAt: after(1_000_000) };
    await expect(accepts().due(received(wake))).resolves.toBeUndefined();
    expect(sent()).toEqual([{ delay: 900, body: wake, url: 'https://sqs/wake' }]);
  });

  test('a body that is not this queue’s wake-up fails, naming only the message', async () => {
    const share = { kind: 'share', solutionId: 's-1', wabaId: 'w-1', dueAt: after(0) };
    expect(shareWakeSchema.safeParse(share).success).toBe(true);
    await expect(accepts().due(received(share))).rejects.toThrow('malformed wake-up message m-1');
    await expect(accepts().due(received('{"kind":'))).rejects.toThrow('malformed wake-up message m-1');
  });
});
