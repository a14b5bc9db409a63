import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { orderKey } from '../../src/merge/index.js';

describe('orderKey', () => {
  it('is the value itself for a single key column', () => {
    expect(orderKey(['GRE-04968'])).toBe('GRE-04968');
  });

  it('never maps two different composite keys to one string, whatever the values hold', () => {
    const part = fc.string({ unit: fc.constantFrom('A', ' ', '|', '\\', 'b') });
    fc.assert(
      fc.property(fc.tuple(part, part), fc.tuple(part, part), (a, b) => {
        if (orderKey(a) === orderKey(b)) expect(a).toEqual(b);
      }),
      { numRuns: 2000 },
    );
    expect(orderKey(['A | B', 'C'])).not.toBe(orderKey(['A', 'B | C']));
  });
});
