import { TtlCache } from './ttl-cache';

describe('TtlCache', () => {
  let now = 0;
  const cache = () => new TtlCache<number>(30_000, 2, () => now);

  beforeEach(() => {
    now = 1_000_000;
  });

  it('answers a key from its first computation until the time to live has passed, then computes it again', async () => {
    const keep = cache();
    let computed = 0;
    const compute = () => Promise.resolve(++computed);
    expect(await keep.get('a', compute)).toBe(1);
    now += 29_999;
    expect(await keep.get('a', compute)).toBe(1);
    now += 1;
    expect(await keep.get('a', compute)).toBe(2);
  });

  it('computes once for callers that come while the computation runs', async () => {
    const keep = cache();
    let release!: (value: number) => void;
    let computed = 0;
    const compute = () => {
      computed++;
      return new Promise<number>((resolve) => (release = resolve));
    };
    const answers = Promise.all([keep.get('a', compute), keep.get('a', compute), keep.get('a', compute)]);
    release(7);
    expect(await answers).toEqual([7, 7, 7]);
    expect(computed).toBe(1);
  });

  it('keeps no failure: the next caller computes again', async () => {
    const keep = cache();
    await expect(keep.get('a', () => Promise.reject(new Error('database down')))).rejects.toThrow('database down');
    expect(await keep.get('a', () => Promise.resolve(3))).toBe(3);
  });

  it('keeps at most its number of keys, dropping the oldest', async () => {
    const keep = cache();
    let computed = 0;
    const compute = () => Promise.resolve(++computed);
    await keep.get('a', compute);
    await keep.get('b', compute);
    await keep.get('c', compute);
    expect(await keep.get('b', compute)).toBe(2);
    expect(await keep.get('c', compute)).toBe(3);
    expect(await keep.get('a', compute)).toBe(4);
  });
});
