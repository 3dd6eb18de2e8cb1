import { reactive } from 'vue';
import { ApiError } from './api/client';
import type { TicketStatus } from '@app/domain';
import { fieldMessageZh, formatTime, statusName } from './format';

/**
 * Field errors of the last answer, by field, in Chinese: a form item reads `errors.<field>`. A problem
 * that names no field is the form's own message.
 */
export function useFieldErrors() {
  const state = reactive({ byField: {} as Record<string, string>, form: null as string | null });
  return {
    state,
    clear(): void {
      state.byField = {};
      state.form = null;
    },
    show(failure: unknown, fallback: string): void {
      state.byField = {};
      state.form = null;
      if (failure instanceof ApiError) {
        for (const { field, message } of failure.problem.errors ?? []) {
          const top = field.split(/[.[]/)[0];
          state.byField[top] ??= fieldMessageZh(field, message);
        }
        if (Object.keys(state.byField).length === 0) state.form = problemZh(failure, fallback);
      } else {
        state.form = '无法连接服务器，请检查网络后重试';
      }
    },
  };
}

/**
 * The lifecycle's refusals (libs/domain/src/lifecycle.ts, planTransition) in Chinese, by their wording;
 * one the console does not know reads as the generic refusal, never in English.
 */
const REFUSALS_ZH: ReadonlyArray<[RegExp, (match: RegExpMatchArray) => string]> = [
  [/is not allowed when the ticket is (\w+)/, (m) => `工单当前为「${statusName(m[1] as TicketStatus)}」，不能执行此操作`],
  [/designated \(指定承办\)/, () => '该工单已指定承办，不能退单'],
  [/a return was allowed until (\S+)/, (m) => `退单时限已于 ${formatTime(m[1])} 截止，请继续办理`],
  [/deadline has already passed/, () => '该环节时限已过，不能再申请'],
  [/passed while the request waited/, () => '申请等待审批期间时限已过，只能驳回'],
  [/already pending/, () => '已有待审批的申请'],
  [/already had its one approved extension/, () => '该工单已批准过一次延期'],
  [/already had its one pause/, () => '该环节本次派单已暂停过一次'],
  [/stage is already paused/, () => '该环节正在暂停计时'],
  [/cannot be paused/, () => '该环节不能暂停计时（仅联系、上门、整改、回复环节）'],
  [/the pause runs until (\S+)/, (m) => `暂停计时至 ${formatTime(m[1])}`],
  [/no stage is paused/, () => '当前没有暂停计时的环节'],
  [/no (extension|pause) request is pending/, () => '没有待审批的申请'],
  [/stage is already done/, () => '该环节已完成'],
  [/already told of this extension/, () => '已登记过告知来电人延期'],
  [/no approved extension/, () => '没有已批准的延期'],
  [/supervisor reviews it/, () => '回访不满意（客观原因），等待督办复核'],
  [/no callback is waiting/, () => '没有等待复核的回访'],
  [/a priority can only be raised/, () => '优先级只能提升'],
  [/needs no visit/, () => '该类别无需上门，请直接回复'],
  [/refund exclusion is already recorded/, () => '已登记过退费除外情形'],
  [/already at that company/, () => '工单已在该单位'],
  [/Idempotency-Key .* already used/, () => '重复提交的内容与首次不同，请刷新后重试'],
];

function refusalZh(detail: string | undefined): string | null {
  for (const [pattern, say] of REFUSALS_ZH) {
    const match = detail?.match(pattern);
    if (match) return say(match);
  }
  return null;
}

/** A refusal in Chinese: the lifecycle's reasons translated, anything else by its status. */
export function problemZh(failure: unknown, fallback: string): string {
  if (!(failure instanceof ApiError)) return '无法连接服务器，请检查网络后重试';
  const { status, detail } = failure.problem;
  const reason = refusalZh(detail);
  switch (status) {
    case 400:
      return reason ?? '提交的内容有误，请检查后重试';
    case 403:
      return '没有权限执行此操作';
    case 404:
      return '工单不存在或不属于本单位';
    case 409:
      return reason ?? '工单当前状态不允许此操作，请刷新后重试';
    case 422:
      return reason ?? '无法处理该请求，请检查选择的单位或内容';
    case 503:
      return '服务暂时不可用，请稍后重试（操作未执行）';
    default:
      return `${fallback}（${status}）`;
  }
}
