/** The 16 districts of Tianjin, as codes used on the wire (docs/product.md, API). */
export const DISTRICTS = [
  'HEPING',
  'HEDONG',
  'HEXI',
  'NANKAI',
  'HEBEI',
  'HONGQIAO',
  'DONGLI',
  'XIQING',
  'JINNAN',
  'BEICHEN',
  'WUQING',
  'BAODI',
  'NINGHE',
  'JINGHAI',
  'JIZHOU',
  'BINHAI',
] as const;
export type District = (typeof DISTRICTS)[number];

export const DISTRICT_NAMES_ZH: Record<District, string> = {
  HEPING: '和平区',
  HEDONG: '河东区',
  HEXI: '河西区',
  NANKAI: '南开区',
  HEBEI: '河北区',
  HONGQIAO: '红桥区',
  DONGLI: '东丽区',
  XIQING: '西青区',
  JINNAN: '津南区',
  BEICHEN: '北辰区',
  WUQING: '武清区',
  BAODI: '宝坻区',
  NINGHE: '宁河区',
  JINGHAI: '静海区',
  JIZHOU: '蓟州区',
  BINHAI: '滨海新区',
};
