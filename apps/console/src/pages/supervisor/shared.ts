import { localDate } from '@app/domain';
import type { RouteLocationRaw } from 'vue-router';
import { api, ApiError } from '../../api/client';

/**
 * What the supervisors' screens share: the link from a number to the tickets behind it, the Chinese of a
 * panel that cannot show its data, report ranges as Asia/Shanghai days, and CSV downloads.
 */

/** The ticket list filtered as the number counts them (TicketListPage reads these from the URL). */
export interface TicketFilter {
  readonly q?: string;
  readonly status?: string;
  readonly district?: string;
  readonly priority?: string;
  readonly companyId?: string;
  /** Only open tickets with a stage past its deadline. */
  readonly overdue?: boolean;
  /** false: closed ones too (the list shows only open ones unless told). */
  readonly open?: boolean;
}

export function ticketsOf(filter: TicketFilter): RouteLocationRaw {
  const query: Record<string, string> = {};
  for (const [key, value] of Object.entries(filter)) {
    if (value === undefined || value === '') continue;
    if (key === 'overdue') {
      if (value) query.overdue = 'true';
    } else if (key === 'open') {
      if (!value) query.open = 'false';
    } else {
      query[key] = String(value);
    }
  }
  return { path: '/tickets', query };
}

/** The page of one ticket. */
export const ticketOf = (id: string): RouteLocationRaw => `/tickets/${id}`;

/** What a panel says when its data cannot be shown: in Chinese, and what happens next (the API's words stay out). */
export function panelMessage(failure: unknown): string {
  if (!(failure instanceof ApiError)) return '服务暂不可用，稍后自动重试';
  const { status } = failure.problem;
  if (status === 401) return '登录已过期，请重新登录';
  if (status === 403) return '当前账号无权查看此面板';
  if (status === 429) return '请求过于频繁，稍后自动重试';
  if (status >= 500) return '服务暂不可用，稍后自动重试';
  if (status === 400) return '查询条件有误，请检查日期范围（最长366天）';
  return `读取失败（${status}），稍后自动重试；仍出现请联系管理员`;
}

/** A rate as a percentage, one decimal: 0.953 as 95.3%; no rate (nothing to divide) as —. */
export const percent = (rate: number | null | undefined): string => (rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(1)}%`);

/** The Asia/Shanghai calendar day (YYYY-MM-DD) of an instant, whatever the browser's zone. */
export const shanghaiDay = (at: Date = new Date()): string => localDate(at);

/** A YYYY-MM-DD day moved by `days`. */
export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/**
 * A report range the API reads as Asia/Shanghai days: the first day's midnight to the midnight after the
 * last day (`to` is exclusive), so 12-01 … 12-07 is the seven whole days.
 */
export function rangeOfDays(first: string, last: string): { from: string; to: string } {
  return { from: first, to: addDays(last, 1) };
}

/** The live panels' range: the 7 days up to a minute from now (what the old dashboard counted). */
export function lastSevenDays(now = Date.now()): { from: string; to: string } {
  const to = new Date(now + 60_000);
  return { from: new Date(to.getTime() - 7 * 86_400_000).toISOString(), to: to.toISOString() };
}

/** The reports that answer CSV with `Accept: text/csv`. */
export type CsvReport = '/reports/overdue' | '/reports/companies' | '/reports/hotspots' | '/reports/refunds';

/**
 * Downloads a report as CSV: fetched with the user's token (the typed client adds it, and signs out on a
 * 401), then saved from a Blob under the name the API gives in Content-Disposition. Answers that name.
 */
export async function downloadCsv(report: CsvReport, query: Record<string, string>): Promise<string> {
  const { data, error, response } = await api.GET(report as '/reports/companies', {
    params: { query },
    headers: { Accept: 'text/csv' },
    parseAs: 'blob',
    cache: 'no-store',
  });
  if (!response.ok) {
    const problem = error && typeof error === 'object' ? error : {};
    throw new ApiError({ ...problem, status: response.status });
  }
  const disposition = response.headers.get('Content-Disposition') ?? '';
  const filename = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? `${report.split('/').pop()}.csv`;
  const href = URL.createObjectURL(data as unknown as Blob);
  const link = document.createElement('a');
  link.href = href;
  link.download = filename;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
  return filename;
}
