/** The error `promise` rejected with, checked to be a `type`; throws when it resolved or rejected with anything else. */
export async function rejectionOf<E>(promise: Promise<unknown>, type: abstract new (...args: never[]) => E): Promise<E> {
  const outcome: unknown = await promise.then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  if (!(outcome instanceof type)) throw new Error(`expected a rejection with a ${type.name}, got ${String(outcome)}`);
  return outcome;
}
