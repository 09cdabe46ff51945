/** One assertion applied to a list of inputs inside one test, for tests that check a function on many values. */
import { expect } from 'vitest';

/** Asserts that `fn` gives each key of `cases` its value (toBe); a failure names the input. */
export function expectEach<T>(fn: (input: string) => T, cases: Record<string, T>): void {
  for (const [input, want] of Object.entries(cases)) expect(fn(input), input).toBe(want);
}
