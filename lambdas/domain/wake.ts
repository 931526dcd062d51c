/**
 * Asks for an item's next attempt at `at` (a delayed wake-up message, lambdas/queue/wake-queue.ts),
 * once its retry is written on the record.
 */
export type Wake<K> = (item: K, at: Date) => Promise<void>;

/**
 * Best effort: the retry is on the record already, and the reconciler takes it when due if no wake
 * comes. A failure to send is returned for the report (`wakeFailed`), never thrown.
 */
export async function wakeWhenDue<K>(wake: Wake<K>, item: K, at: Date): Promise<{ wakeFailed?: string }> {
  try {
    await wake(item, at);
    return {};
  } catch (error) {
    return { wakeFailed: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}
