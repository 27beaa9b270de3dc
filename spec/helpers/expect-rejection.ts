/** Awaits `p`, expecting it to reject with an instance of `errorType` (and, for ApiErrors, wire name `name`). */
import { expect } from 'chai';

export async function expectRejection(
  p: Promise<unknown>,
  errorType: new (...a: never[]) => Error,
  name?: string,
): Promise<Error> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).to.be.instanceOf(errorType);
  if (name) expect(e).to.have.property('errorName', name);
  return e as Error;
}
