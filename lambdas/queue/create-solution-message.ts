import { z } from 'zod';

/**
 * The create queue's messages. They are the only place the Tech Provider's token travels after
 * intake: the queue is encrypted and a message is deleted once handled.
 */

/**
 * One message per selected app. `kind` is optional: a message without it is a create, as every
 * message sent before the verify kind existed.
 */
export const createSolutionMessageSchema = z.object({
  kind: z.literal('create').default('create'),
  onboardingId: z.string().min(1),
  appId: z.string().min(1),
  accessToken: z.string().min(1),
  /** Times this message was put back because another attempt held its solution. */
  deferrals: z.number().int().nonnegative().default(0),
});

/** An onboarding intake could not check in time (VERIFYING): its token's check and app listing, then its create messages. */
export const verifyOnboardingMessageSchema = z.object({
  kind: z.literal('verify'),
  onboardingId: z.string().min(1),
  accessToken: z.string().min(1),
});

export const queueMessageSchema = z.discriminatedUnion('kind', [createSolutionMessageSchema, verifyOnboardingMessageSchema]);

export type CreateSolutionMessage = z.input<typeof createSolutionMessageSchema>;
export type VerifyOnboardingMessage = z.input<typeof verifyOnboardingMessageSchema>;
export type QueueMessage = CreateSolutionMessage | VerifyOnboardingMessage;
