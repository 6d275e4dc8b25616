/**
 * Alerts after a worklist write on the customer page: that customer's conditions are evaluated at
 * once on the serving warehouse and the operational store (a broken promise, a key-focus customer
 * already late), and immediate email goes out when SMTP is set up. A failure is logged, never shown
 * as a failed write: the write itself is done and audited.
 */
import { runAlerts } from '../../../alerts/service.ts';
import type { Actor } from '../../../ops/audit.ts';
import { smtp } from './collections';
import { auth } from './session';
import { servingWarehouse } from './warehouse';

export async function alertsAfterWrite(customerId: string, actor: Actor): Promise<void> {
  const wh = servingWarehouse();
  if (wh.generation === 0) return;
  try {
    await runAlerts(auth().ops, wh.query.bind(wh), {
      trigger: 'worklist',
      actor,
      today: new Date().toISOString().slice(0, 10),
      customerId,
      smtp: smtp(),
    });
  } catch (e) {
    console.error(
      `Alerts after a worklist write on ${customerId} were not evaluated: ${(e as Error).message}`,
    );
  }
}
