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

/** A field error of the API in Chinese, for the form item it belongs to. */
export function fieldMessageZh(field: string, message: string): string {
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
