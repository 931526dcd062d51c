import { z } from 'zod';

/**
 * One message per selected app. It is the only place the Tech Provider's token travels after intake:
 * the queue is encrypted and the message is deleted once handled.
 */
export const createSolutionMessageSchema = z.object({
  onboardingId: z.string().min(1),
  appId: z.string().min(1),
  accessToken: z.string().min(1),
  /** Times this message was put back because another attempt held its solution. */
  deferrals: z.number().int().nonnegative().default(0),
});

export type CreateSolutionMessage = z.input<typeof createSolutionMessageSchema>;
