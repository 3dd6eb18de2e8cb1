import {
  CALENDAR_ZONE,
  CATEGORY_DEFAULTS,
  currentStage,
  DISTRICT_NAMES_ZH,
  ESCALATION_LEVEL_NAMES_ZH,
  ROLE_NAMES_ZH,
  STAGE_NAMES_ZH,
  TICKET_STATUS_NAMES_ZH,
} from '@app/domain';
import type { Category, District, EscalationLevel, Role, Stage, TicketStatus } from '@app/domain';

/** Every name on screen comes from the domain (libs/domain), the one place it is defined. */
export const statusName = (status: TicketStatus): string => TICKET_STATUS_NAMES_ZH[status] ?? status;
export const districtName = (district: District): string => DISTRICT_NAMES_ZH[district] ?? district;
export const categoryName = (category: Category): string => CATEGORY_DEFAULTS[category]?.nameZh ?? category;
export const stageName = (stage: Stage): string => STAGE_NAMES_ZH[stage] ?? stage;
export const levelName = (level: EscalationLevel): string => ESCALATION_LEVEL_NAMES_ZH[level] ?? level;
export const roleName = (role: Role): string => ROLE_NAMES_ZH[role] ?? role;
export { currentStage };

/** The colour of each escalation level (Element Plus tag types): 黄灯 warning, 逾期 and beyond danger. */
export const LEVEL_TAG: Record<EscalationLevel, 'info' | 'warning' | 'danger' | 'success'> = {
  NONE: 'success',
  DUE_SOON: 'warning',
  OVERDUE: 'danger',
  WARNING: 'danger',
  PUBLIC_NOTICE: 'danger',
};

const TIME = new Intl.DateTimeFormat('zh-CN', {
  timeZone: CALENDAR_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});

/** An instant in Asia/Shanghai, whatever the browser's zone: 2026/12/01 14:05. */
export function formatTime(iso: string | null | undefined): string {
  return iso ? TIME.format(new Date(iso)) : '—';
}

/** A duration the way people say it: 2小时15分, 3天4小时, 45分, 不足1分. */
export function formatDuration(ms: number): string {
  const minutes = Math.floor(Math.abs(ms) / 60_000);
  if (minutes < 1) return '不足1分';
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  if (days > 0) return hours > 0 ? `${days}天${hours}小时` : `${days}天`;
  if (hours > 0) return rest > 0 ? `${hours}小时${rest}分` : `${hours}小时`;
  return `${rest}分`;
}

/** Time left to a deadline, or how late it is: 剩余2小时15分 / 已超时30分. */
export function formatCountdown(dueAt: string, now: number): string {
  const left = Date.parse(dueAt) - now;
  return left >= 0 ? `剩余${formatDuration(left)}` : `已超时${formatDuration(left)}`;
}

/** Chinese for the API's field names, as the forms label them. */
export const FIELD_LABELS: Record<string, string> = {
  citizenPhone: '来电号码',
  citizenName: '来电人',
  district: '区',
  address: '地址',
  category: '类别',
  priority: '优先级',
  description: '诉求描述',
  note: '说明',
  reason: '原因',
  resolution: '办理结果',
  readings: '测温读数',
  extendBy: '延期时长',
  companyId: '承办单位',
  username: '用户名',
  password: '密码',
};

/**
 * Field errors in Chinese: the password policy, usernames, company codes, durations, dates
 * (libs/auth/src/password-policy.ts, the DTOs and services of users, companies, SLA, calendar and seasons).
 * The general patterns follow in fieldMessageZh.
 */
const FIELD_RULES: ReadonlyArray<readonly [RegExp, (match: RegExpExecArray) => string]> = [
  // The password policy (docs/product.md, Accounts).
  [/password must be at least (\d+) characters/i, (m) => `密码至少需要${m[1]}个字符`],
  [/password must be at most (\d+) bytes/i, (m) => `密码过长：最多${m[1]}字节（约${Math.floor(Number(m[1]) / 3)}个汉字）`],
  [/password is too common/i, () => '密码过于常见，容易被猜到，请换一个'],
  [/password must not be built from the username/i, () => '密码不能由用户名或姓名构成'],
  [/password is too repetitive/i, () => '密码重复过多（如 aaaa、abcabc），请换一个'],
  [/password is a keyboard pattern or a sequence/i, () => '密码是键盘排列或连续字符（如 qwerty、12345），请换一个'],
  [/password is too easy to guess: dates/i, () => '密码含日期或年份，容易被猜到，请换一个'],
  [/password is too easy to guess/i, () => '密码太容易被猜到：请用几个不相关的词组合，或再长一些'],
  // Users.
  [/^username must be 3-64/, () => '用户名须为3–64位字母、数字、点、横线或下划线'],
  [/^displayName must be 1-(\d+)/, (m) => `姓名须为1–${m[1]}个字符`],
  [/companyId is required for the crew role/, () => '维修人员必须选择所属单位'],
  [/companyId is only for crew users/, () => '只有维修人员可以属于单位'],
  [/companyId must be a UUID/, () => '请选择列表中的单位'],
  // Companies.
  [/^code must be 2-32/, () => '编码须为2–32位大写字母、数字或横线（如 TJRL-NK）'],
  [/^districts should not be empty|^districts must contain at least/, () => '请至少选择一个区'],
  [/^All districts's elements must be unique/i, () => '区不能重复'],
  [/^name should not be empty/, () => '不能为空'],
  // SLA policies.
  [/must be an ISO 8601 duration/, () => '请填写大于0的时长（天、小时、分钟或秒）'],
  [/^noticeAfter must be longer than warningAfter/, () => '通报批评须晚于约谈'],
  [/^designatedFromDispatch must not be (less than 2|greater than 10)|^designatedFromDispatch must be an integer/, () => '须为2–10之间的整数'],
  [/^callbackAttempts must not be (less than 1|greater than 10)|^callbackAttempts must be an integer/, () => '须为1–10之间的整数'],
  // The calendar and the heating seasons.
  [/^(\S+) is not a date \(YYYY-MM-DD\) of (\d{4})/, (m) => `${m[1]} 不是${m[2]}年的日期`],
  [/^(\S+) is listed as both a holiday and a working day/, (m) => `${m[1]} 不能既是节假日又是调休上班日`],
  [/each value in (holidays|workdays) must be a valid ISO 8601/, () => '日期格式须为 年-月-日（如 2027-01-01）'],
  [/^starts must be a day of (\d{4})/, (m) => `开始日期须在${m[1]}年`],
  [/^ends must be a day of (\d{4})/, (m) => `结束日期须在${m[1]}年`],
  [/^(starts|ends) must be a date/, () => '请选择日期'],
  [/^a season lasts at most (\d+) days/, (m) => `供暖季最长${m[1]}天`],
  [/^season must be two consecutive years/, () => '供暖季须为相邻两年，如 2026-2027'],
  // The indoor temperature standard.
  [/^celsius must/, () => '标准温度须为10–30°C之间的数（最多一位小数）'],
  [/^rooms/, () => '请至少选择一种房间'],
  [/^refundTiers\[\d+\]\.maxShortfall must be larger/, () => '温差上限须比上一档大'],
  [/^refundTiers\[\d+\]\.maxShortfall/, () => '温差上限须为0.1–30°C之间的数（最后一档不设上限）'],
  [/^refundTiers\[\d+\]\.percent/, () => '退费比例须为1–100的整数，且不小于上一档'],
  [/^refundTiers/, () => '请至少设置一档退费比例'],
];


/** A field error of the API in Chinese, for the form item it belongs to. */
export function fieldMessageZh(field: string, message: string): string {
  for (const [pattern, say] of FIELD_RULES) {
    const match = pattern.exec(message);
    if (match) return say(match);
  }
  if (/citizenPhone must be/.test(message)) return '请输入手机号（如13812345678）或带区号的座机（如022-23456789）';
  if (/priority/.test(field) && /lower|below|default/i.test(message)) return '优先级不能低于该类别的默认优先级';
  if (/should not be empty|must not be empty|must be longer/.test(message)) return '不能为空';
  if (/must be one of/.test(message)) return '请选择列表中的选项';
  if (/must not be greater|must not be less|must be a number|decimal/.test(message)) return '数值格式不正确或超出范围';
  if (/shorter than or equal/.test(message)) return '内容过长';
  if (/readings must hold/.test(message)) return '至少需要一条卧室或起居室按规范测得的读数';
  if (/extendBy must be at most/.test(message)) return `延期不能超过政策上限（${message.replace(/^.*at most (\S+).*$/, '$1')}）`;
  return '输入有误';
}
