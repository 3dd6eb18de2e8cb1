import { CATEGORY_DEFAULTS, DISTRICT_NAMES_ZH, localDate, ROOM_TYPE_NAMES_ZH, STAGE_NAMES_ZH } from '@app/domain';
import type { CsvColumn } from './csv';
import type { HotspotDto, HotspotsDto } from './hotspot.dto';
import type { RefundRowDto } from './refund.dto';
import type { CompanyReportRowDto, OverdueRowDto } from './report.dto';
import type { HotspotLevel } from './report-sql';
import type { ReportRange } from './report-range';

/** Chinese headers for the people who open the file in Excel; codes stay beside the Chinese names. */
export const OVERDUE_CSV: ReadonlyArray<CsvColumn<OverdueRowDto>> = [
  { header: '工单号', value: (row) => row.ticketNumber },
  { header: '承办单位', value: (row) => row.companyName },
  { header: '区', value: (row) => DISTRICT_NAMES_ZH[row.district] },
  { header: '类别', value: (row) => CATEGORY_DEFAULTS[row.category].nameZh },
  { header: '优先级', value: (row) => row.priority },
  { header: '状态', value: (row) => row.status },
  { header: '环节', value: (row) => STAGE_NAMES_ZH[row.stage] },
  { header: '时限', value: (row) => row.dueAt },
  { header: '超时', value: (row) => row.overdueBy },
  { header: '督办级别', value: (row) => row.escalationLevel },
  { header: '来电号码', value: (row) => row.citizenPhone },
  { header: '工单ID', value: (row) => row.ticketId },
  { header: '单位ID', value: (row) => row.companyId },
];

export const COMPANY_REPORT_CSV: ReadonlyArray<CsvColumn<CompanyReportRowDto>> = [
  { header: '承办单位', value: (row) => row.companyName },
  { header: '派单量', value: (row) => row.dispatched },
  { header: '及时签收率', value: (row) => row.acceptOnTimeRate },
  { header: '及时联系率', value: (row) => row.contactOnTimeRate },
  { header: '及时上门率', value: (row) => row.visitOnTimeRate },
  { header: '及时回复率', value: (row) => row.replyOnTimeRate },
  { header: '回访数', value: (row) => row.callbacks },
  { header: '解决率', value: (row) => row.solvedRate },
  { header: '满意率', value: (row) => row.satisfactionRate },
  { header: '响应率', value: (row) => row.responseRate },
  { header: '重办率', value: (row) => row.reopenRate },
  { header: '重复来电率', value: (row) => row.repeatCallRate },
  { header: '退单率', value: (row) => row.returnRate },
  { header: '约谈', value: (row) => row.warnings },
  { header: '通报批评', value: (row) => row.notices },
  { header: '测温次数', value: (row) => row.temperatureTests },
  { header: '室温合格率', value: (row) => row.temperaturePassRate },
  { header: '暂停次数', value: (row) => row.pauses },
  { header: '暂停时长(小时)', value: (row) => Math.round((row.pausedSeconds / 3600) * 10) / 10 },
  { header: '单位ID', value: (row) => row.companyId },
];

/** A row of the hot-spot CSV: a community or a building. */
export interface HotspotCsvRow extends HotspotDto {
  readonly level: HotspotLevel;
}

export const HOTSPOTS_CSV: ReadonlyArray<CsvColumn<HotspotCsvRow>> = [
  { header: '类型', value: (row) => (row.level === 'community' ? '小区' : '楼栋') },
  { header: '排名', value: (row) => row.rank },
  { header: '区', value: (row) => DISTRICT_NAMES_ZH[row.district] },
  { header: '地点', value: (row) => row.place },
  { header: '工单数', value: (row) => row.tickets },
  { header: '重复来电', value: (row) => row.repeatCalls },
  { header: '疑似片区停热', value: (row) => row.suspectedOutages },
];

/** The communities, then the buildings. */
export function hotspotCsvRows(report: HotspotsDto): HotspotCsvRow[] {
  return [
    ...report.communities.map((row) => ({ ...row, level: 'community' as const })),
    ...report.buildings.map((row) => ({ ...row, level: 'building' as const })),
  ];
}

/** 退费: one row per room and day, as the JSON rows. */
export const REFUNDS_CSV: ReadonlyArray<CsvColumn<RefundRowDto>> = [
  { header: '日期', value: (row) => row.day },
  { header: '工单编号', value: (row) => row.ticketNumber },
  { header: '供热单位', value: (row) => row.companyName },
  { header: '区', value: (row) => DISTRICT_NAMES_ZH[row.district] },
  // No exact address in a file that travels: the building, and the ticket number to look the household up.
  { header: '楼栋', value: (row) => row.building },
  { header: '房间', value: (row) => row.room },
  { header: '房间类型', value: (row) => (row.roomType === null ? null : ROOM_TYPE_NAMES_ZH[row.roomType]) },
  { header: '实测温度', value: (row) => row.celsius },
  { header: '低于标准(°C)', value: (row) => row.shortfall },
  { header: '退费比例(%)', value: (row) => row.percent },
  { header: '工单ID', value: (row) => row.ticketId },
];

/** e.g. companies-20250106-20250113.csv (Asia/Shanghai days of the range). */
export function csvFilename(report: string, range?: ReportRange): string {
  if (!range) return `${report}-${shanghaiDay(new Date())}.csv`;
  return `${report}-${shanghaiDay(range.from)}-${shanghaiDay(range.to)}.csv`;
}

/** The Asia/Shanghai calendar day as YYYYMMDD. */
function shanghaiDay(instant: Date): string {
  return localDate(instant).replaceAll('-', '');
}
