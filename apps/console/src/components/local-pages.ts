import { computed, ref, watch } from 'vue';

/**
 * A list the API answers whole, shown a page at a time here. Back to the first page when `restartOn` (the
 * filters, a reactive object) changes, not when the rows are read again: a save keeps the user's page.
 */
export function useLocalPages<T>(rows: () => readonly T[], size: number, restartOn?: object) {
  const page = ref(1);
  if (restartOn) watch(restartOn, () => (page.value = 1));
  const shown = computed(() => rows().slice((page.value - 1) * size, page.value * size));
  return { page, shown };
}
