/**
 * A cleanup stack for specs: register the release of a resource where it is created
 * (`const log = defer(await Log.open(...), (l) => l.close())`); the root hook runs them after each test,
 * newest first, and reports every failure.
 */
type Cleanup = () => unknown;
const stack: Cleanup[] = [];

export function defer<T>(resource: T, release: (r: T) => unknown): T {
  stack.push(() => release(resource));
  return resource;
}

export function deferFn(fn: Cleanup): void {
  stack.push(fn);
}

export async function runDeferred(): Promise<void> {
  const errors: unknown[] = [];
  while (stack.length > 0) {
    const fn = stack.pop()!;
    try {
      await fn();
    } catch (e) {
      errors.push(e);
    }
  }
  if (errors.length > 0) {
    const causes = errors.map((e) => (e instanceof Error ? (e.stack ?? e.message) : String(e))).join('\n');
    throw new AggregateError(errors, `Cleanup after the test failed:\n${causes}`);
  }
}
