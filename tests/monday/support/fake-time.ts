/**
 * Virtual time for the client's waits: HTTP stays real, but a `Retry-After: 30` costs the test
 * nothing and the waits the client chose can be asserted exactly.
 */
export function fakeTime(start = Date.UTC(2026, 10, 29, 12, 0, 0)) {
  let now = start;
  const waits: number[] = [];
  return {
    waits,
    now: () => now,
    sleep: async (ms: number) => {
      waits.push(ms);
      now += ms;
    },
    advance: (ms: number) => {
      now += ms;
    },
  };
}
