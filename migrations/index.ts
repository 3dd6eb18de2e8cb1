import { InitialSchema1764316800000 } from './1764316800000-InitialSchema';
import { Users1764400000000 } from './1764400000000-Users';
import { Lifecycle1764400000001 } from './1764400000001-Lifecycle';
import { ReportIndexes1764500000000 } from './1764500000000-ReportIndexes';
import { OneRuleOnePlace1764600000000 } from './1764600000000-OneRuleOnePlace';
import { Accounts1764700000000 } from './1764700000000-Accounts';
import { Dispatches1764700000001 } from './1764700000001-Dispatches';
import { Queues1764700000002 } from './1764700000002-Queues';
import { TianjinRules1764800000000 } from './1764800000000-TianjinRules';
import { Calendar1764800000001 } from './1764800000001-Calendar';
import { Hotspots1764800000002 } from './1764800000002-Hotspots';
import { Callbacks1764900000000 } from './1764900000000-Callbacks';
import { Season1764900000001 } from './1764900000001-Season';
import { PausesAndRefunds1765000000000 } from './1765000000000-PausesAndRefunds';
import { ActionKeys1765000000001 } from './1765000000001-ActionKeys';
import { CityScaleReads1765100000000 } from './1765100000000-CityScaleReads';

/** Every migration in order (one a line); listed explicitly so ts-jest, tsc output and bundles all find them. */
export const MIGRATIONS = [
  InitialSchema1764316800000,
  Users1764400000000,
  Lifecycle1764400000001,
  ReportIndexes1764500000000,
  OneRuleOnePlace1764600000000,
  Accounts1764700000000,
  Dispatches1764700000001,
  Queues1764700000002,
  TianjinRules1764800000000,
  Calendar1764800000001,
  Hotspots1764800000002,
  Callbacks1764900000000,
  Season1764900000001,
  PausesAndRefunds1765000000000,
  ActionKeys1765000000001,
  CityScaleReads1765100000000,
];
