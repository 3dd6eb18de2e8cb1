/**
 * A small in-process cache of answers for a few seconds: the first request for a key computes it, every request
 * for that key until `ttlMs` later gets the same answer, and requests that come while it is being computed wait
 * for that one computation (one query however many callers arrive at once). A failed computation is not kept.
 * At most `maxEntries` keys are kept, the oldest dropped first, so callers choosing keys (a public query string)
 * cannot grow it without bound. Per process: each API replica keeps its own.
 */
export class TtlCache<T> {
  private readonly entries = new Map<string, { readonly until: number; readonly value: Promise<T> }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly clock: () => number = Date.now,
  ) {}

  get(key: string, compute: () => Promise<T>): Promise<T> {
    const now = this.clock();
    const kept = this.entries.get(key);
    if (kept && kept.until > now) return kept.value;
    if (kept) this.entries.delete(key);
    const value = compute();
    this.entries.set(key, { until: now + this.ttlMs, value });
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(oldest);
    }
    return value;
  }
}
