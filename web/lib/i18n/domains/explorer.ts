/** Words of the explorer page(s). Keys start with 'explorer.'; the Japanese object must have every key. */
export const en = {} as const;

export const ja: Record<keyof typeof en, string> = {};
