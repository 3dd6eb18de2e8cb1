/**
 * Folds an address for repeat-call matching: full-width to half-width (NFKC), case, whitespace and
 * punctuation are ignored, so "南开区 鞍山西道1号，3-201" and "南开区鞍山西道１号3-201" match.
 */
export function addressKey(address: string): string {
  return address
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\p{P}\p{S}]/gu, '');
}
