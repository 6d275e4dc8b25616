/** Words of the data page(s). Keys start with 'data.'; the Japanese object must have every key. */
export const en = {} as const;

export const ja: Record<keyof typeof en, string> = {};
