import { describe, expect, it } from 'vitest';
import { messageParts } from './message.ts';

describe('messages with commands', () => {
  it('splits a message into text and code parts; unknown braces stay text', () => {
    expect(messageParts('Run {command} now.', { command: 'npx arlens build' })).toEqual([
      { text: 'Run ' },
      { code: 'npx arlens build' },
      { text: ' now.' },
    ]);
    expect(messageParts('{command}', { command: 'x' })).toEqual([{ code: 'x' }]);
    expect(messageParts('No {command} here {other}.', {})).toEqual([{ text: 'No {command} here {other}.' }]);
    expect(messageParts('<b>{a}</b>', { a: '<i>' })).toEqual([
      { text: '<b>' },
      { code: '<i>' },
      { text: '</b>' },
    ]);
  });
});
