import { DISTRICT_NAMES_ZH, DISTRICTS } from './districts';
import type { District } from './districts';

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

/**
 * The parts of a Tianjin address as far as the text names them (null for a part it leaves out), in
 * canonical forms: `南开区鞍山西道１００号三单元201` reads district NANKAI, road 鞍山西道, number 100号,
 * entrance 3门, room 201.
 */
export interface AddressParts {
  /** The district the text names (南开区, also the old 塘沽区/蓟县…), whatever the ticket's district field says. */
  readonly district: District | null;
  /** 街道, 镇 or 乡 (王顶堤街道, 杨柳青镇). */
  readonly town: string | null;
  /** 路, 道, 街, 大街, 大道, 公路, 胡同, 巷 (鞍山西道, 丁字沽一号路). */
  readonly road: string | null;
  /** The number on the road (100号, 100-2号; 100号院 reads 100号). */
  readonly number: string | null;
  /** The residential community, 小区 (华苑小区, 居华里, 水岸花园, 阳光家园, 王顶堤新村), or a named place before a building. */
  readonly community: string | null;
  /** The building (号楼, 栋, 幢, 座, `#`), always written `N号楼`: 3栋, 3幢, 三号楼 and 3#楼 are all 3号楼. */
  readonly building: string | null;
  /** The entrance (门, 单元; Tianjin says 门 for 单元), always written `N门`: 3单元 and 三门 are 3门. */
  readonly entrance: string | null;
  /** The flat (201, 201室). Never part of a key: it says who called. */
  readonly room: string | null;
}

/** District names a caller may say, the current ones and the former districts and counties they replaced. */
const DISTRICT_NAMES: ReadonlyArray<readonly [string, District]> = [
  ...DISTRICTS.map((district) => [DISTRICT_NAMES_ZH[district], district] as const),
  ['滨海区', 'BINHAI'],
  ['塘沽区', 'BINHAI'],
  ['汉沽区', 'BINHAI'],
  ['大港区', 'BINHAI'],
  ['蓟县', 'JIZHOU'],
  ['静海县', 'JINGHAI'],
  ['宁河县', 'NINGHE'],
  ['宝坻县', 'BAODI'],
  ['武清县', 'WUQING'],
] as const;

const ROAD_SUFFIX = /(?:大街|大道|公路|胡同|路|道|街|巷)$/u;
/** Two-character suffixes first, so 花园 is read before 园. */
const COMMUNITY_SUFFIXES = ['小区', '社区', '花园', '家园', '嘉园', '庄园', '新村', '公寓', '大厦', '里', '苑', '园', '村'];
/** Words between the parts that name nothing (院内, 对面…). */
const FILLER = /^(?:院内|院|内|附近|对面|旁边|旁|[东南西北]侧|楼下|楼上)$/u;

const CN_DIGITS: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
const CN_NUMBER = '[零〇一二两三四五六七八九十百]+';
/** A building or entrance number: digits, a letter (A座, B2栋) or a Chinese numeral (三号楼, 十二栋). */
const ID = `(\\d+|[A-Z]\\d*|${CN_NUMBER})`;

/** 三 → 3, 十二 → 12, 二十 → 20, 一百零五 → 105; undefined for anything else. */
export function chineseNumeral(text: string): number | undefined {
  if (!new RegExp(`^${CN_NUMBER}$`, 'u').test(text)) return undefined;
  let total = 0;
  let digit: number | undefined;
  for (const char of text) {
    if (char === '百' || char === '十') {
      const unit = char === '百' ? 100 : 10;
      if (unit === 100 && total % 1000 >= 100) return undefined;
      total += (digit ?? 1) * unit;
      digit = undefined;
    } else {
      if (digit !== undefined && digit !== 0) return undefined; // 三四: not a number
      digit = CN_DIGITS[char];
    }
  }
  return total + (digit ?? 0);
}

/** `03` → `3`, `三` → `3`, `b` → `B`: one spelling of a building or entrance number; undefined for 三四. */
function canonicalId(id: string): string | undefined {
  if (/^\d+$/.test(id)) return String(Number(id));
  if (/^[A-Z]\d*$/.test(id)) return id;
  const numeral = chineseNumeral(id);
  return numeral === undefined ? undefined : String(numeral);
}

/**
 * The text with one spelling: NFKC (full-width digits and letters to ASCII), upper case, asides in
 * brackets dropped (（近白堤路）), every dash as `-`, `3#楼`/`3#` as 3号楼, whitespace and other punctuation removed.
 */
function tidy(address: string): string {
  return address
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[(（[【［][^)）\]】］]*[)）\]】］]/gu, '')
    .replace(/[‐‑‒–—―−﹣~～]/gu, '-')
    .replace(/(\d+|[A-Z]\d*)#楼?/gu, '$1号楼')
    .replace(/[\s\p{P}\p{S}]/gu, (char) => (char === '-' ? char : ''));
}

const sticky = (source: string): RegExp => new RegExp(source, 'uy');
const TOKENS = {
  /** 12-3-201 (building-entrance-room), 3-201 (entrance or building, then room); not 100-2号. */
  dashes: sticky(`(\\d+)-(\\d+)(?:-(\\d+))?(?:室|户|房)?(?![\\d-]*号)`),
  /** 一号路, 3号路: a number that is part of a road's name. */
  numberedRoad: sticky(`(?:\\d+|${CN_NUMBER})号(?=大街|大道|路|道|街)`),
  building: sticky(`${ID}(?:号楼|号院楼|栋|幢|号座|座)`),
  entrance: sticky(`${ID}号?(?:门|单元)(?![口市诊卫面])`),
  /** 100号, 100-2号, 甲1号, 100号院. */
  number: sticky(`([甲乙丙丁]?\\d+(?:-\\d+)?)号院?`),
  floor: sticky(`(?:\\d+|${CN_NUMBER})(?:层|楼)(?!号)`),
  room: sticky(`(\\d+)(?:室|户|房)?`),
};
/** The match of a sticky pattern at `index`, or null. */
function matchAt(pattern: RegExp, text: string, index: number): RegExpExecArray | null {
  pattern.lastIndex = index;
  return pattern.exec(text);
}

const ROAD_AHEAD = /^(?:大街|大道|公路|胡同|路|道|街|巷)/u;
const ROAD_THEN_COMMUNITY = /^(\p{Script=Han}{2,}?(?:大街|大道|公路|路|道|街))(\p{Script=Han}{2,}.*)$/u;

/**
 * The community suffix at `index` after the name read so far, and where the community's text ends: a name
 * has at least two characters before its suffix (八里台 is no 里), a suffix a road suffix follows belongs to
 * the road's name (花园路, 天华苑路), and a 小区 after another suffix adds nothing (阳光家园小区 is 阳光家园).
 */
function communitySuffixAt(text: string, index: number, name: string): { suffix: string; end: number } | undefined {
  const suffix = COMMUNITY_SUFFIXES.find((candidate) => text.startsWith(candidate, index));
  if (!suffix || [...name].length < 2 || ROAD_AHEAD.test(text.slice(index + suffix.length))) return undefined;
  const tail = suffix === '小区' || suffix === '社区' ? null : /^(?:小区|社区)/u.exec(text.slice(index + suffix.length));
  return { suffix, end: index + suffix.length + (tail ? tail[0].length : 0) };
}

type Reader = readonly [RegExp, (match: RegExpExecArray) => boolean];

/** The length of the first token `readers` read at `index` (0 for none). */
function readToken(readers: readonly Reader[], text: string, index: number): number {
  for (const [pattern, read] of readers) {
    const match = matchAt(pattern, text, index);
    if (match && read(match)) return match[0].length;
  }
  return 0;
}

type MutableParts = { -readonly [K in keyof AddressParts]: AddressParts[K] };

/**
 * Reads the parts of an address typed by an operator (or said by a caller), left to right: district,
 * town, then road and number, community, building, entrance and room in whatever order they come. Pure
 * text rules, no gazetteer: a part the text does not mark (by its suffix or its number) stays null.
 * `12-3-201` is building 12, entrance 3, room 201; `3-201` after a road number is entrance 3, room 201,
 * and after a community building 3, room 201. Text before a building that has no suffix names a place
 * (南开大学6号楼: community 南开大学).
 */
export function parseAddress(address: string): AddressParts {
  const parts: MutableParts = { district: null, town: null, road: null, number: null, community: null, building: null, entrance: null, room: null };
  let text = tidy(address).replace(/^(?:中国)?天津(?:市)?/u, '');
  const named = DISTRICT_NAMES.filter(([name]) => text.startsWith(name)).sort((a, b) => b[0].length - a[0].length)[0];
  if (named) {
    parts.district = named[1];
    text = text.slice(named[0].length);
  }
  const town = /^(\p{Script=Han}{2,6}?)(街道办事处|街道|镇|乡)(?=.)/u.exec(text);
  if (town && !ROAD_SUFFIX.test(town[1])) {
    parts.town = `${town[1]}${town[2].replace(/办事处$/u, '')}`;
    text = text.slice(town[0].length);
  }

  let pending = '';
  /** The text before a building, entrance or number: a road, or a place's name. */
  const settlePending = (): void => {
    const name = pending;
    pending = '';
    if (name === '' || FILLER.test(name)) return;
    if (ROAD_SUFFIX.test(name)) parts.road ??= name;
    else if ([...name].length >= 2 && /\p{Script=Han}/u.test(name)) parts.community = name;
  };
  /** Each token's reading; false when the match is no such token after all (三四门). */
  const readers: readonly Reader[] = [
    [
      TOKENS.dashes,
      ([, first, second, third]) => {
        settlePending();
        if (third !== undefined) {
          parts.building ??= `${Number(first)}号楼`;
          parts.entrance ??= `${Number(second)}门`;
          parts.room ??= third;
        } else if (parts.building === null && parts.number === null && parts.community !== null) {
          parts.building = `${Number(first)}号楼`;
          parts.room ??= second;
        } else {
          parts.entrance ??= `${Number(first)}门`;
          parts.room ??= second;
        }
        return true;
      },
    ],
    [
      TOKENS.numberedRoad,
      ([roadName]) => {
        pending += roadName;
        return true;
      },
    ],
    [
      TOKENS.building,
      ([, id]) => {
        const canonical = canonicalId(id);
        if (canonical === undefined) return false;
        settlePending();
        parts.building ??= `${canonical}号楼`;
        return true;
      },
    ],
    [
      TOKENS.entrance,
      ([, id]) => {
        const canonical = canonicalId(id);
        if (canonical === undefined) return false;
        settlePending();
        parts.entrance ??= `${canonical}门`;
        return true;
      },
    ],
    [
      TOKENS.number,
      ([, value]) => {
        if (ROAD_SUFFIX.test(pending) && parts.number === null) {
          parts.road ??= pending;
          pending = '';
          parts.number = `${value}号`;
          return true;
        }
        settlePending();
        // A number after a community, or a second one after the road's, is the building (长江里3号).
        if (parts.community !== null || parts.number !== null) parts.building ??= `${canonicalId(value) ?? value}号楼`;
        else parts.number = `${value}号`;
        return true;
      },
    ],
    [
      TOKENS.floor,
      () => {
        settlePending();
        return true;
      },
    ],
    [
      TOKENS.room,
      ([, digits]) => {
        settlePending();
        parts.room ??= digits;
        return true;
      },
    ],
  ];

  for (let index = 0; index < text.length; ) {
    const length = readToken(readers, text, index);
    if (length > 0) {
      index += length;
      continue;
    }
    const community = communitySuffixAt(text, index, pending);
    if (community) {
      let name = pending + community.suffix;
      // 鞍山西道荣迁里: the road, then the community.
      const split = ROAD_THEN_COMMUNITY.exec(name);
      if (split && [...split[2]].length - [...community.suffix].length >= 2) {
        parts.road ??= split[1];
        name = split[2];
      }
      parts.community = name;
      pending = '';
      index = community.end;
      continue;
    }
    pending += text[index];
    index += 1;
  }
  if (ROAD_SUFFIX.test(pending)) parts.road ??= pending;
  return parts;
}

/**
 * Where a ticket comes from, as hot spots (热点) count it. Both are readable keys that start with the
 * district's Chinese name (the ticket's district, not the text's), parts separated by one space:
 * - `communityKey` (小区): `南开区 华苑小区`; without a named community, the road and number (`南开区 鞍山西道100号`, the 院);
 * - `buildingKey` (楼栋): district + road + number + building, e.g. `南开区 鞍山西道100号 3门`. The building part is the
 *   号楼/栋/幢/座 when the address names one, else the entrance (门/单元: in `鞍山西道100号3门201` the 100号 is the
 *   block and 3门 its staircase); without either the road and number alone (`南开区 鞍山西道100号`). Without a road
 *   number the community stands for them (`南开区 居华里 6号楼`). Null when the address names no place that precise.
 * Rooms are never part of a key.
 */
export interface AddressPlace {
  readonly communityKey: string | null;
  readonly buildingKey: string | null;
}

export function addressPlace(district: District, address: string): AddressPlace {
  const parts = parseAddress(address);
  const districtName = DISTRICT_NAMES_ZH[district];
  const roadNumber = parts.road !== null && parts.number !== null ? `${parts.road}${parts.number}` : null;
  const anchor = roadNumber ?? parts.community;
  const block = parts.building ?? parts.entrance;
  const community = parts.community ?? roadNumber;
  let building: string | null = null;
  if (anchor !== null && block !== null) building = `${districtName} ${anchor} ${block}`;
  else if (roadNumber !== null) building = `${districtName} ${roadNumber}`;
  return { communityKey: community === null ? null : `${districtName} ${community}`, buildingKey: building };
}

/**
 * 片区停热 (a suspected outage): a ticket created while at least `others` other tickets came from the same
 * building (`addressPlace(...).buildingKey`) in the `windowMs` up to it is marked as one, and the operator
 * taking a call sees how many came in that hour (domain.md §2.6; the threshold is [A]).
 */
export const SUSPECTED_OUTAGE = { windowMs: 60 * 60 * 1000, others: 3 } as const;

/** Whether a ticket with `othersInWindow` other tickets from its building in the hour up to it is a suspected outage. */
export function isSuspectedOutage(othersInWindow: number): boolean {
  return othersInWindow >= SUSPECTED_OUTAGE.others;
}
