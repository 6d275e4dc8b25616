/** Words of the risk page(s). Keys start with 'risk.'; the Japanese object must have every key. */
export const en = {} as const;

export const ja: Record<keyof typeof en, string> = {};
