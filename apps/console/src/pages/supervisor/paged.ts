import { ref, shallowRef } from 'vue';

/** One page of a cursor-paged list, as the API answers it. */
export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

/**
 * A list the API pages by cursor: the first page, then 加载更多. A live screen reloads the first page on
 * every refresh, but not once the user asked for more (the rows would jump from under the reading eye).
 */
export function usePaged<T>(fetchPage: (cursor?: string) => Promise<Page<T>>) {
  const items = shallowRef<T[]>([]);
  const cursor = ref<string | null>(null);
  const extended = ref(false);
  const loading = ref(false);

  /** The first page again (unless more were loaded); `force` starts over from the first page anyway. */
  async function first(force = false): Promise<void> {
    if (extended.value && !force) return;
    const page = await fetchPage();
    items.value = page.items;
    cursor.value = page.nextCursor;
    extended.value = false;
  }

  /** The next page, after the rows shown. */
  async function more(): Promise<void> {
    if (!cursor.value) return;
    loading.value = true;
    try {
      const page = await fetchPage(cursor.value);
      items.value = [...items.value, ...page.items];
      cursor.value = page.nextCursor;
      extended.value = true;
    } finally {
      loading.value = false;
    }
  }

  return { items, cursor, extended, loading, first, more };
}

/**
 * Runs `refresh` now and then every `seconds`, never two at a time (a slow answer delays the next round
 * instead of piling requests up). Answers the stop function.
 */
export function poll(refresh: () => Promise<void>, seconds: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const tick = async (): Promise<void> => {
    try {
      await refresh();
    } finally {
      if (!stopped) timer = setTimeout(() => void tick(), seconds * 1000);
    }
  };
  void tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
