// The fault tier's HTTP client is the one the benchmark uses too (libs/devstack/src/api-client.ts).
export { ApiClient as HttpClient, setPolicy, signIn, staffCompany } from '@app/devstack';
export type { Answer, StaffedCompany } from '@app/devstack';
