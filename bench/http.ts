// The HTTP client, sign-in, staffing and policy calls are shared with the fault tier (libs/devstack/src/api-client.ts).
export { ApiClient as Api, setPolicy, signIn, staffCompany } from '@app/devstack';
export type { Answer, StaffedCompany as Staff } from '@app/devstack';

/** A random start, so two runs on one database would not collide either; then one more per call. */
let citizen = Math.floor(Math.random() * 5e7);

/**
 * A realistic 不热 call from a new citizen (so no repeat-call match): a fresh mobile number and flat each
 * time, within one district the bench company covers.
 */
export function ticketBody(district: string, priority?: 'P0'): string {
  citizen += 1;
  const n = citizen;
  return JSON.stringify({
    category: 'NOT_WARM',
    ...(priority ? { priority } : {}),
    citizenName: '王女士',
    citizenPhone: `139${String(n % 1e8).padStart(8, '0')}`,
    district,
    address: `鞍山西道${(n % 900) + 100}号${(n % 9) + 1}门${(n % 30) + 1}0${(n % 4) + 1}`,
    description: '卧室只有15度，暖气片不热，家中有老人',
  });
}

/** Runs `task` `count` times, `concurrency` at a time (filling pools between measured runs; not measured). */
export async function times(count: number, concurrency: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) await task(next++);
    }),
  );
}
