/** Mainland mobile: 11 digits starting 13–19. Landline: area code 0XX or 0XXX, then 7–8 digits. */
const MOBILE = /^1[3-9]\d{9}$/;
const LANDLINE = /^0\d{2,3}[2-9]\d{6,7}$/;

/**
 * The one form a phone number is stored and compared in: digits only (spaces, brackets and dashes of
 * any width dropped) and no +86 before a mobile, so `022-2345 6789` and `02223456789` are one caller.
 */
export function normalizePhone(raw: string): string {
  return raw.replace(/[\s()（）\-－‐‑–—]/g, '').replace(/^\+?86(?=1[3-9]\d{9}$)/, '');
}

export function isValidCitizenPhone(raw: string): boolean {
  const phone = normalizePhone(raw);
  return MOBILE.test(phone) || LANDLINE.test(phone);
}

/** `138****5678`: what supervisors and exports see. Keeps the area code of a landline. */
export function maskPhone(phone: string): string {
  if (phone.length <= 7) return '*'.repeat(phone.length);
  return `${phone.slice(0, 3)}****${phone.slice(-4)}`;
}
