// Reconnect schedule: exponential backoff with jitter, as a pure function so the schedule can be
// tested without timers. Jitter spreads a room's members out after a server restart, so they do
// not all reconnect (and renegotiate) in the same instant.

export interface BackoffPolicy {
  /** Nominal delay of the first retry, ms. */
  initialMs: number;
  /** Cap of the nominal delay, ms. */
  maxMs: number;
  /** Fraction of the nominal delay that is randomized away: 0 = none, 1 = "full jitter". */
  jitter: number;
}

export const RECONNECT_BACKOFF: BackoffPolicy = { initialMs: 500, maxMs: 15_000, jitter: 0.5 };

/** The nominal (un-jittered) delay before retry number `attempt` (0-based): 0.5 s doubling to 15 s. */
export function nominalDelay(attempt: number, policy: BackoffPolicy = RECONNECT_BACKOFF): number {
  const n = Math.max(0, Math.floor(attempt));
  // 2 ** 40 is already far past any cap; clamping the exponent avoids Infinity.
  return Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(n, 40));
}

/**
 * The delay before retry number `attempt`, in [nominal × (1 − jitter), nominal].
 * `random` returns a number in [0, 1) (Math.random by default).
 */
export function backoffDelay(
  attempt: number,
  random: () => number = Math.random,
  policy: BackoffPolicy = RECONNECT_BACKOFF,
): number {
  const nominal = nominalDelay(attempt, policy);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(nominal * (1 - policy.jitter * r));
}
