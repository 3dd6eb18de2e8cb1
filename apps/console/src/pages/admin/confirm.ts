import { ElMessage, ElMessageBox } from 'element-plus';
import { ref } from 'vue';
import { problemLine, type StatusMessages } from './messages';

/** What is asked before an action: the question, the box's title, its confirm button, how grave it is. */
export interface Question {
  readonly message: string;
  readonly title: string;
  readonly confirm: string;
  readonly type: 'info' | 'warning';
}

/** Asks first: true once confirmed, false when cancelled or closed. */
export async function confirmed({ message, title, confirm, type }: Question): Promise<boolean> {
  try {
    await ElMessageBox.confirm(message, title, { confirmButtonText: confirm, cancelButtonText: '取消', type });
    return true;
  } catch {
    return false;
  }
}

/** A record to 启用 or 停用: which (its kind, 单位 or 用户, and name), the flag to store, what that changes. */
export interface ActiveChange {
  readonly id: string;
  readonly active: boolean;
  readonly kind: string;
  readonly name: string;
  readonly consequence: string;
  readonly statuses?: StatusMessages;
}

/**
 * The actions on a table's rows (停用, 重置密码 …): each asked first, then run with its row's buttons busy;
 * a refusal is said in a message (a row has no form to show it on).
 */
export function useRowActions() {
  const busyRow = ref<string | null>(null);

  async function runOnRow(rowId: string, question: Question, act: () => Promise<void>, failed: string, statuses?: StatusMessages): Promise<void> {
    if (!(await confirmed(question))) return;
    busyRow.value = rowId;
    try {
      await act();
    } catch (failure) {
      ElMessage.error(problemLine(failure, failed, statuses));
    } finally {
      busyRow.value = null;
    }
  }

  /** 启用 (`active`) or 停用 a record, asked first (gravely before 停用); said done as 已停用单位 南开热力. */
  function setActive(change: ActiveChange, store: () => Promise<unknown>, reload: () => Promise<void>): Promise<void> {
    const action = change.active ? '启用' : '停用';
    const question: Question = { message: change.consequence, title: `${action}${change.kind}`, confirm: action, type: change.active ? 'info' : 'warning' };
    return runOnRow(
      change.id,
      question,
      async () => {
        await store();
        ElMessage.success(`已${action}${change.kind} ${change.name}`);
        await reload();
      },
      `${action}失败`,
      change.statuses,
    );
  }

  return { busyRow, runOnRow, setActive };
}
