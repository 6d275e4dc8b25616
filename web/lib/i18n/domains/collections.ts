/** Words of the collections page(s). Keys start with 'collections.'; the Japanese object must have every key. */
export const en = {} as const;

export const ja: Record<keyof typeof en, string> = {};
