/** How long one AWS API call (SQS, Secrets Manager) may take before it is abandoned, ms. */
const AWS_TIMEOUTS = { connectionTimeout: 1000, requestTimeout: 3000 };

/**
 * The settings every AWS client of the functions is built with: 3 attempts, each abandoned within
 * seconds, so a request answers 503 (or leaves a send whose outcome is unknown to the sweeper) instead of
 * hanging until the function times out; `endpoint` overrides AWS's for an emulator.
 */
export function awsClientConfig(
  region: string,
  endpoint?: string,
): { region: string; maxAttempts: number; requestHandler: typeof AWS_TIMEOUTS; endpoint?: string } {
  return { region, maxAttempts: 3, requestHandler: AWS_TIMEOUTS, ...(endpoint ? { endpoint } : {}) };
}
