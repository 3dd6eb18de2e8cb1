import fc from 'fast-check';
import { addressPlace, chineseNumeral, isSuspectedOutage, parseAddress, SUSPECTED_OUTAGE } from './address';
import type { AddressParts } from './address';

const NONE: AddressParts = { district: null, town: null, road: null, number: null, community: null, building: null, entrance: null, room: null };

describe('parseAddress', () => {
  // Addresses as operators type them on the 8890 form: the parts each names, in canonical forms.
  it.each<[string, Partial<AddressParts>]>([
    // road + number + entrance (Tianjin's 门 is the staircase of the block at the number)
    ['南开区鞍山西道100号3门201', { district: 'NANKAI', road: '鞍山西道', number: '100号', entrance: '3门', room: '201' }],
    ['南开区鞍山西道100号3单元201', { district: 'NANKAI', road: '鞍山西道', number: '100号', entrance: '3门', room: '201' }],
    ['鞍山西道100号3号门201', { road: '鞍山西道', number: '100号', entrance: '3门', room: '201' }],
    ['南开区 鞍山西道１００号三单元２０１', { district: 'NANKAI', road: '鞍山西道', number: '100号', entrance: '3门', room: '201' }],
    ['南开区鞍山西道１００号３门２０１室', { district: 'NANKAI', road: '鞍山西道', number: '100号', entrance: '3门', room: '201' }],
    ['天津市南开区鞍山西道100号，3门，201', { district: 'NANKAI', road: '鞍山西道', number: '100号', entrance: '3门', room: '201' }],
    ['南开区鞍山西道100号（近白堤路）3门201', { district: 'NANKAI', road: '鞍山西道', number: '100号', entrance: '3门', room: '201' }],
    // road + number + building (号楼 / 栋 / 幢 / 座 / #) + entrance
    ['河西区友谊路35号2号楼3单元502', { district: 'HEXI', road: '友谊路', number: '35号', building: '2号楼', entrance: '3门', room: '502' }],
    ['河西区友谊路35号2栋3单元502', { district: 'HEXI', road: '友谊路', number: '35号', building: '2号楼', entrance: '3门', room: '502' }],
    ['河西区友谊路35号2幢3门502', { district: 'HEXI', road: '友谊路', number: '35号', building: '2号楼', entrance: '3门', room: '502' }],
    ['河西区友谊路35号2#楼3-502', { district: 'HEXI', road: '友谊路', number: '35号', building: '2号楼', entrance: '3门', room: '502' }],
    ['河西区友谊路35号二号楼三门', { district: 'HEXI', road: '友谊路', number: '35号', building: '2号楼', entrance: '3门' }],
    ['滨海新区塘沽福州道12号B座1203', { district: 'BINHAI', road: '塘沽福州道', number: '12号', building: 'B号楼', room: '1203' }],
    ['和平区南京路189号津汇广场2座1505', { district: 'HEPING', road: '南京路', number: '189号', community: '津汇广场', building: '2号楼', room: '1505' }],
    ['天津市南开区王顶堤街道迎水道100号院3号楼2门401室', { district: 'NANKAI', town: '王顶堤街道', road: '迎水道', number: '100号', building: '3号楼', entrance: '2门', room: '401' }],
    ['鞍山西道100-2号', { road: '鞍山西道', number: '100-2号' }],
    ['鞍山西道100号3楼', { road: '鞍山西道', number: '100号' }], // 3楼 is the floor
    // dashes: building-entrance-room, or entrance-room after a road number
    ['鞍山西道1号3-201', { road: '鞍山西道', number: '1号', entrance: '3门', room: '201' }],
    ['南开区 鞍山西道100号 3－201', { district: 'NANKAI', road: '鞍山西道', number: '100号', entrance: '3门', room: '201' }],
    ['河东区 大王庄 十一经路 8号 2-101', { district: 'HEDONG', road: '大王庄十一经路', number: '8号', entrance: '2门', room: '101' }],
    // communities: 小区 / 里 / 花园 / 家园 / 苑 / 新村 / 村
    ['南开区华苑小区居华里6-2-301', { district: 'NANKAI', community: '居华里', building: '6号楼', entrance: '2门', room: '301' }],
    ['居华里6-301', { community: '居华里', building: '6号楼', room: '301' }],
    ['华苑小区12号楼1门', { community: '华苑小区', building: '12号楼', entrance: '1门' }],
    ['西青区梅江南水岸花园5号楼2单元301', { district: 'XIQING', community: '梅江南水岸花园', building: '5号楼', entrance: '2门', room: '301' }],
    ['河西区 梅江 水岸花园 5-2-301', { district: 'HEXI', community: '梅江水岸花园', building: '5号楼', entrance: '2门', room: '301' }],
    ['北辰区阳光家园十二栋三门502', { district: 'BEICHEN', community: '阳光家园', building: '12号楼', entrance: '3门', room: '502' }],
    ['北辰区阳光家园小区12号楼3门502', { district: 'BEICHEN', community: '阳光家园', building: '12号楼', entrance: '3门', room: '502' }],
    ['河北区中山路靖江里5栋', { district: 'HEBEI', road: '中山路', community: '靖江里', building: '5号楼' }],
    ['鞍山西道荣迁里3门', { road: '鞍山西道', community: '荣迁里', entrance: '3门' }],
    ['长江里3号', { community: '长江里', building: '3号楼' }],
    ['天华苑2号楼', { community: '天华苑', building: '2号楼' }],
    ['王顶堤新村5-1-202', { community: '王顶堤新村', building: '5号楼', entrance: '1门', room: '202' }],
    ['武清区大良镇田庄村', { district: 'WUQING', town: '大良镇', community: '田庄村' }],
    ['长江道花园2号楼', { community: '长江道花园', building: '2号楼' }],
    ['南开大学6号楼', { community: '南开大学', building: '6号楼' }], // a named place without a suffix
    // roads whose names hold a community suffix or a number
    ['花园路5号', { road: '花园路', number: '5号' }],
    ['天华苑路8号', { road: '天华苑路', number: '8号' }],
    ['红桥区丁字沽一号路25号', { district: 'HONGQIAO', road: '丁字沽一号路', number: '25号' }],
    ['丁字沽3号路25号5栋', { road: '丁字沽3号路', number: '25号', building: '5号楼' }],
    ['西营门外大街100号', { road: '西营门外大街', number: '100号' }],
    ['西青区杨柳青镇柳霞路5号3门', { district: 'XIQING', town: '杨柳青镇', road: '柳霞路', number: '5号', entrance: '3门' }],
    // former district and county names
    ['蓟县人民西大街3号', { district: 'JIZHOU', road: '人民西大街', number: '3号' }],
    ['塘沽区福州道12号', { district: 'BINHAI', road: '福州道', number: '12号' }],
    // missing parts
    ['和平区南京路', { district: 'HEPING', road: '南京路' }],
    ['5#楼2单元301', { building: '5号楼', entrance: '2门', room: '301' }],
    ['Ａ座３０１', { building: 'A号楼', room: '301' }],
    ['八里台', {}], // no 里 community: one character before it
    ['天津', {}],
    ['', {}],
    ['请尽快派人处理', {}],
  ])('%s', (address, parts) => {
    expect(parseAddress(address)).toEqual({ ...NONE, ...parts });
  });
});

describe('parseAddress on generated addresses', () => {
  const ROADS = ['鞍山西道', '友谊路', '南京路', '卫津南路', '黄河道', '红旗南路', '中山大街'];
  const BUILDING_WORDS = ['号楼', '栋', '幢', '座', '#楼', '#'];
  const ENTRANCE_WORDS = ['门', '单元', '号门'];
  /** Full-width digits, as some input methods type them. */
  const fullWidth = (text: string): string => text.replace(/[0-9]/g, (digit) => String.fromCharCode(digit.charCodeAt(0) + 0xfee0));
  const address = fc.record({
    road: fc.constantFrom(...ROADS),
    number: fc.integer({ min: 1, max: 999 }),
    building: fc.integer({ min: 1, max: 60 }),
    buildingWord: fc.constantFrom(...BUILDING_WORDS),
    entrance: fc.integer({ min: 1, max: 9 }),
    entranceWord: fc.constantFrom(...ENTRANCE_WORDS),
    room: fc.integer({ min: 101, max: 2999 }),
    spaced: fc.boolean(),
    wide: fc.boolean(),
  });

  it('reads road, number, building, entrance and room however they are spelled', () => {
    fc.assert(
      fc.property(address, (a) => {
        const parts = ['南开区', a.road, `${a.number}号`, `${a.building}${a.buildingWord}`, `${a.entrance}${a.entranceWord}`, `${a.room}`];
        const typed = (a.wide ? fullWidth : (text: string) => text)(parts.join(a.spaced ? ' ' : ''));
        expect(parseAddress(typed)).toEqual({
          ...NONE,
          district: 'NANKAI',
          road: a.road,
          number: `${a.number}号`,
          building: `${a.building}号楼`,
          entrance: `${a.entrance}门`,
          room: `${a.room}`,
        });
      }),
    );
  });

  /** Strings of the characters addresses are made of, in any order. */
  const addressLike = fc.array(fc.constantFrom(...'南开区天津市鞍山西道路街100号３门单元栋幢座楼#-－（）() 小区里花园苑村十二三室'), { maxLength: 40 }).map((chars) => chars.join(''));

  it('never fails, and every key starts with the ticket’s district', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 60 }), addressLike), fc.constantFrom('NANKAI' as const, 'BINHAI' as const), (text, district) => {
        const place = addressPlace(district, text);
        for (const key of [place.communityKey, place.buildingKey]) if (key !== null) expect(key.startsWith(district === 'NANKAI' ? '南开区 ' : '滨海新区 ')).toBe(true);
      }),
    );
  });
});

describe('chineseNumeral', () => {
  it.each([
    ['三', 3],
    ['十', 10],
    ['十二', 12],
    ['二十', 20],
    ['二十三', 23],
    ['两', 2],
    ['一百零五', 105],
  ])('%s is %d', (text, value) => {
    expect(chineseNumeral(text)).toBe(value);
  });

  it.each(['三四', '3', '', '百百'])('%j is no number', (text) => {
    expect(chineseNumeral(text)).toBeUndefined();
  });
});

describe('addressPlace', () => {
  it('keys the building by district, road, number and building, whatever the spelling', () => {
    const spellings = ['南开区鞍山西道100号3门201', '鞍山西道１００号３门２０２', '南开区 鞍山西道100号 3单元 301', '鞍山西道100号三门', '鞍山西道100号3-502', '天津市南开区鞍山西道100号3号门401室'];
    for (const address of spellings) expect(addressPlace('NANKAI', address)).toEqual({ communityKey: '南开区 鞍山西道100号', buildingKey: '南开区 鞍山西道100号 3门' });
  });

  it('writes 号楼, 栋, 幢, 座 and # as one building, the entrance then left out', () => {
    for (const address of ['友谊路35号2号楼3单元502', '友谊路35号2栋1门101', '友谊路35号2幢', '友谊路35号二号楼', '友谊路35号2#楼3-502', '友谊路35号2座']) {
      expect(addressPlace('HEXI', address).buildingKey).toBe('河西区 友谊路35号 2号楼');
    }
  });

  it('keeps other entrances, numbers, roads and districts apart', () => {
    const keys = ['鞍山西道100号3门', '鞍山西道100号4门', '鞍山西道101号3门', '鞍山西道100号3号楼', '白堤路100号3门'].map((address) => addressPlace('NANKAI', address).buildingKey);
    expect(new Set(keys).size).toBe(keys.length);
    expect(addressPlace('HEXI', '鞍山西道100号3门').buildingKey).not.toBe(addressPlace('NANKAI', '鞍山西道100号3门').buildingKey);
  });

  it('takes the ticket’s district, not the one the text names', () => {
    expect(addressPlace('HEXI', '南开区鞍山西道100号3门').buildingKey).toBe('河西区 鞍山西道100号 3门');
  });

  it('keys a community by its name, or by its road and number when it has none', () => {
    expect(addressPlace('NANKAI', '华苑小区居华里6-2-301')).toEqual({ communityKey: '南开区 居华里', buildingKey: '南开区 居华里 6号楼' });
    expect(addressPlace('XIQING', '梅江南水岸花园5号楼2单元301')).toEqual({ communityKey: '西青区 梅江南水岸花园', buildingKey: '西青区 梅江南水岸花园 5号楼' });
    expect(addressPlace('HEPING', '南京路189号津汇广场2座1505')).toEqual({ communityKey: '和平区 津汇广场', buildingKey: '和平区 南京路189号 2号楼' });
    expect(addressPlace('NANKAI', '鞍山西道100号201')).toEqual({ communityKey: '南开区 鞍山西道100号', buildingKey: '南开区 鞍山西道100号' });
  });

  it('answers null for a part the address does not name precisely enough', () => {
    expect(addressPlace('NANKAI', '华苑小区')).toEqual({ communityKey: '南开区 华苑小区', buildingKey: null });
    expect(addressPlace('HEPING', '南京路3号楼')).toEqual({ communityKey: null, buildingKey: null }); // a road has many 3号楼
    expect(addressPlace('NANKAI', '3号楼2门401')).toEqual({ communityKey: null, buildingKey: null });
    expect(addressPlace('NANKAI', '请尽快派人处理')).toEqual({ communityKey: null, buildingKey: null });
  });

  it('never carries the room', () => {
    const place = addressPlace('NANKAI', '居华里6-2-301');
    expect(`${place.communityKey}${place.buildingKey}`).not.toContain('301');
    expect(addressPlace('NANKAI', '鞍山西道100号3门201').buildingKey).toBe(addressPlace('NANKAI', '鞍山西道100号3门1502').buildingKey);
  });
});

describe('suspected outage (片区停热)', () => {
  it('is a ticket with at least 3 others from its building in the hour before it', () => {
    expect(SUSPECTED_OUTAGE).toEqual({ windowMs: 3_600_000, others: 3 });
    expect([0, 1, 2, 3, 12].map(isSuspectedOutage)).toEqual([false, false, false, true, true]);
  });
});
