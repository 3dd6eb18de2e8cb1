import { ElMessage } from 'element-plus';
import { reactive } from 'vue';
import { useFieldErrors } from '../../forms';
import { showProblem, type StatusMessages } from './messages';

/** What FormDialog.vue shows of a dialog's state. */
export interface FormDialogState {
  readonly open: boolean;
  readonly busy: boolean;
  readonly errors: ReturnType<typeof useFieldErrors>;
  close(): void;
}

/**
 * An admin form dialog's state: open, busy while a save runs, the field errors of the last refusal, and
 * the dialog's own `data` (its form, the record edited).
 */
export function useFormDialog<Data extends object>(data: Data) {
  const dialog = reactive({
    ...data,
    open: false,
    busy: false,
    errors: useFieldErrors(),
    /** Opens it with no error left from the last time. */
    show(): void {
      dialog.errors.clear();
      dialog.open = true;
    },
    close(): void {
      dialog.open = false;
    },
    /**
     * Stores the form with the dialog busy: once `store` answers what to say, closes the dialog, says it and
     * reads the screen's data again; a refusal is shown at its fields instead.
     */
    async submit(store: () => Promise<string>, reload: () => Promise<void>, fallback: string, statuses?: StatusMessages): Promise<void> {
      dialog.busy = true;
      dialog.errors.clear();
      try {
        const done = await store();
        dialog.open = false;
        ElMessage.success(done);
        await reload();
      } catch (failure) {
        showProblem(dialog.errors, failure, fallback, statuses);
      } finally {
        dialog.busy = false;
      }
    },
  });
  return dialog;
}
