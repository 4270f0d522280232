import { randomUUID } from 'node:crypto';

/**
 * Creates a funded packet on a local stack over HTTP, as an operator's campaign is made: the operator
 * credits `owner` with the packet's amount (`POST /admin/balances/{owner}/credits`, a fresh reference),
 * then the owner creates it through its own route (`POST /admin/packets` for an operator `op:…`,
 * `POST /packets` for a user). The local stage reads who calls from `x-operator-id` / `x-user-id`.
 * Resolves the creation's status and JSON body.
 */
export async function createFundedPacket(
  httpUrl: string,
  body: Record<string, unknown>,
  owner = `op:demo-${randomUUID()}`,
): Promise<{ status: number; body: unknown }> {
  const post = async (path: string, payload: unknown, headers: Record<string, string>) => {
    const response = await fetch(`${httpUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // keep the text: the caller shows what it got
    }
    return { status: response.status, body: parsed };
  };
  const credit = await post(
    `/admin/balances/${encodeURIComponent(owner)}/credits`,
    { amount: body.totalAmount, reference: randomUUID() },
    { 'x-operator-id': 'local-funding' },
  );
  if (credit.status !== 200) return credit;
  const operator = owner.startsWith('op:');
  return post(
    operator ? '/admin/packets' : '/packets',
    body,
    operator ? { 'x-operator-id': owner.slice(3) } : { 'x-user-id': owner },
  );
}
