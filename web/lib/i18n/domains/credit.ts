/** Words of the credit page(s). Keys start with 'credit.'; the Japanese object must have every key. */
export const en = {} as const;

export const ja: Record<keyof typeof en, string> = {};
