import { DEFAULT_INDOOR_STANDARD } from './indoor-temperature';
import { CATEGORIES, CATEGORY_DEFAULTS, PRIORITIES, priorityAllowed, readingsRequired } from './categories';
import { planTransition, TransitionRefusedError } from './lifecycle';
import type { LifecycleState } from './lifecycle';

describe('priorityAllowed', () => {
  it('allows the category default and anything more urgent, nothing less', () => {
    expect(priorityAllowed('LEAK', 'P0')).toBe(true);
    expect(priorityAllowed('LEAK', 'P1')).toBe(false);
    expect(priorityAllowed('LEAK', 'P2')).toBe(false);
    expect(priorityAllowed('NOT_WARM', 'P0')).toBe(true);
    expect(priorityAllowed('NOT_WARM', 'P1')).toBe(true);
    expect(priorityAllowed('NOT_WARM', 'P2')).toBe(false);
    for (const priority of PRIORITIES) expect(priorityAllowed('BILLING', priority)).toBe(true);
  });
});

describe('readingsRequired', () => {
  it('holds for the temperature complaints only, never for a category without a visit', () => {
    expect(CATEGORIES.filter(readingsRequired)).toEqual(['NO_HEAT', 'NOT_WARM', 'TEMPERATURE_TEST']);
    for (const category of CATEGORIES) if (readingsRequired(category)) expect(CATEGORY_DEFAULTS[category].visitNeeded).toBe(true);
  });

  it('is the rule planTransition applies to a visit without readings', () => {
    const state = (category: LifecycleState['category']): LifecycleState => ({
      status: 'CONTACTED',
      category,
      statusBeforeReturn: null,
      stages: {},
      extension: null,
      approvedExtensions: 0,
      closedAt: null,
    });
    for (const category of CATEGORIES.filter((c) => CATEGORY_DEFAULTS[c].visitNeeded)) {
      const visit = (): unknown => planTransition(state(category), { action: 'visit', note: '上门', readings: [] }, Date.now(), DEFAULT_INDOOR_STANDARD);
      if (readingsRequired(category)) expect(visit).toThrow(TransitionRefusedError);
      else expect(visit).not.toThrow();
    }
  });
});
