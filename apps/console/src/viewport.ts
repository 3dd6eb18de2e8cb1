import { ref } from 'vue';

const query = window.matchMedia('(max-width: 600px)');

/** Whether the screen is phone-sized (a crew in a stairwell): layouts stack into one column. */
export const narrow = ref(query.matches);
query.addEventListener('change', (event) => (narrow.value = event.matches));
