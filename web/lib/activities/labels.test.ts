import { describe, expect, it } from 'vitest';
import { translator } from '../i18n/messages.ts';
import { activityTypeText, outcomeText, promiseText } from './labels.ts';

const t = translator('en');
const tJa = translator('ja');

describe('activity labels', () => {
  it('known codes in words, unknown codes as exported, hostile text untouched', () => {
    expect(activityTypeText(tJa, 'visit')).toBe('訪問');
    expect(outcomeText(t, 'no_answer')).toBe('no answer');
    expect(outcomeText(t, 'voicemail_full')).toBe('voicemail_full');
    expect(promiseText(tJa, 'broken')).toBe('不履行');
    expect(outcomeText(t, '<script>x</script>')).toBe('<script>x</script>');
    // A code that names another message's key does not reach it.
    expect(outcomeText(t, '../title')).toBe('../title');
  });
});
