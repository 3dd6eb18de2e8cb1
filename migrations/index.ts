import { InitialSchema1764316800000 } from './1764316800000-InitialSchema';

/** Every migration in order; listed explicitly so ts-jest, tsc output and bundles all find them. */
export const MIGRATIONS = [InitialSchema1764316800000];
