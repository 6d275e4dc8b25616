/** Words for the customer master's codes (account status, payment method). */
import { labelOr, type Translate } from '../i18n/messages.ts';

export const statusText = (t: Translate, status: string | null) => labelOr(t, 'customers.status.', status);
export const methodText = (t: Translate, method: string | null) => labelOr(t, 'customers.method.', method);
