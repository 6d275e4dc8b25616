import { describe, expect, it } from 'vitest';
import { translator } from '../i18n/messages.ts';
import { bandRank, bandText, bandTone, isHighRisk } from './bands.ts';

const t = translator('en');

describe('risk bands', () => {
  it('orders bands from low to in default', () => {
    expect(
      ['in default', 'low', 'very high', 'medium', 'high'].sort((a, b) => bandRank(a) - bandRank(b)),
    ).toEqual(['low', 'medium', 'high', 'very high', 'in default']);
  });

  it('bands in words and badge tones; an unknown band as exported', () => {
    expect(bandText(t, 'very high')).toBe('Very high');
    expect(bandText(t, 'ultra')).toBe('ultra');
    expect(['low', 'medium', 'high', 'very high', 'in default', null].map(bandTone)).toEqual([
      'low',
      'medium',
      'high',
      'severe',
      'severe',
      'none',
    ]);
  });

  it('high risk or worse', () => {
    expect(['low', 'medium', 'high', 'very high', 'in default', null].map(isHighRisk)).toEqual([
      false,
      false,
      true,
      true,
      true,
      false,
    ]);
  });
});
