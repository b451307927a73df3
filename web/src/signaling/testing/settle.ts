// Drains pending microtasks. The fakes never use timers, and setImmediate runs only once the
// microtask queue is empty; it is captured before any test installs fake timers.

const realSetImmediate = (globalThis as unknown as { setImmediate: (callback: () => void) => void }).setImmediate;

export async function settle(rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => realSetImmediate(resolve));
}
