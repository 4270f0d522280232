/** Invokes `name` through serverless-offline's Lambda API; a function error rejects. */
export function invoker(lambdaPort: number, name: string): (event: unknown) => Promise<unknown> {
  return async (event) => {
    const response = await fetch(`http://127.0.0.1:${lambdaPort}/2015-03-31/functions/${name}/invocations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(event),
    });
    const text = await response.text();
    if (!response.ok || response.headers.get('x-amz-function-error')) {
      throw new Error(`${name} failed (${response.status}): ${text.slice(0, 500)}`);
    }
    return text ? JSON.parse(text) : undefined;
  };
}
