/** Awaits a promise that must reject with an instance of `type`, and returns that error. */
export async function rejectionOf<E extends Error>(promise: Promise<unknown>, type: abstract new (...args: never[]) => E): Promise<E> {
  const outcome = await promise.then(
    (value: unknown) => ({ resolved: value }),
    (error: unknown) => ({ rejected: error }),
  );
  if (!('rejected' in outcome)) throw new Error(`expected a ${type.name} rejection, got a value: ${JSON.stringify(outcome.resolved)}`);
  if (!(outcome.rejected instanceof type)) throw new Error(`expected a ${type.name} rejection, got ${String(outcome.rejected)}`);
  return outcome.rejected;
}
