import { ref } from 'vue';

/** One shared clock for every countdown on screen, ticking each second. */
export const now = ref(Date.now());
setInterval(() => (now.value = Date.now()), 1000);
