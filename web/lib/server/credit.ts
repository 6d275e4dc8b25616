/**
 * The dashboard's door to credit management: the server (server/index.ts) hands over its one
 * CreditService (store, policy, warehouse snapshot) before it mounts the SvelteKit handler.
 */
import type { CreditService } from '../../../credit/service.ts';

const KEY = Symbol.for('arlens.credit');

export function provideCredit(credit: CreditService): void {
  (globalThis as Record<symbol, unknown>)[KEY] = credit;
}

export function creditService(): CreditService {
  const c = (globalThis as Record<symbol, unknown>)[KEY] as CreditService | undefined;
  if (!c)
    throw new Error(
      'The dashboard runs inside the ARLens server: start it with `npm start` or `arlens serve`.',
    );
  return c;
}
