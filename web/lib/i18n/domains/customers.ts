/** Words of the customers page(s). Keys start with 'customers.'; the Japanese object must have every key. */
export const en = {} as const;

export const ja: Record<keyof typeof en, string> = {};
