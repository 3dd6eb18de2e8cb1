import { reactive } from 'vue';
import { ApiError } from './api/client';
import { fieldMessageZh } from './format';

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

/** A refusal in Chinese: the API's own words follow for what the console cannot know. */
export function problemZh(failure: unknown, fallback: string): string {
  if (!(failure instanceof ApiError)) return '无法连接服务器，请检查网络后重试';
  const { status, detail } = failure.problem;
  const why = detail ? `（${detail}）` : '';
  switch (status) {
    case 400:
      return `提交的内容有误${why}`;
    case 403:
      return '没有权限执行此操作';
    case 404:
      return '工单不存在或不属于本单位';
    case 409:
      return `当前状态不允许此操作${why}`;
    case 422:
      return `无法处理${why}`;
    case 503:
      return '服务暂时不可用，请稍后重试（操作未执行）';
    default:
      return `${fallback}（${status}）${why}`;
  }
}
