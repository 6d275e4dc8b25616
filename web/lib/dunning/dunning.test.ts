import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DUNNING_DAYS, dunningLevel, isWorkLevel, WORK_LEVELS } from './dunning.ts';

describe('dunning ladder', () => {
  it('uses the thresholds of the dbt project (models/dbt_project.yml vars)', () => {
    const project = parse(
      readFileSync(join(import.meta.dirname, '../../../models/dbt_project.yml'), 'utf8'),
    ) as { vars: Record<string, unknown> };
    expect(DUNNING_DAYS).toEqual({
      reminderBeforeDue: project.vars['dunning_reminder_days_before_due'],
      mild: project.vars['dunning_mild_days'],
      collection: project.vars['dunning_collection_days'],
      escalation: project.vars['dunning_escalation_days'],
    });
  });

  it('levels: 0–4 only; the worklist works 4 down to 1', () => {
    expect(WORK_LEVELS).toEqual([4, 3, 2, 1]);
    expect([0, 1, 4, 5, -1, null].map(dunningLevel)).toEqual([0, 1, 4, null, null, null]);
    expect([0, 1, 4, 5].map(isWorkLevel)).toEqual([false, true, true, false]);
  });
});
