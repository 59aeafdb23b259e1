// One way for a view to run what a teacher asked for: `busy` while it runs (its buttons
// disable), the earlier failure cleared when it starts and its own failure kept in `error`
// for ErrorMessage, never thrown into Vue's unhandled-rejection path.
import { ref } from "vue";

export function useAction() {
  const busy = ref(false);
  const error = ref<unknown>(null);

  /** Runs `task` with `busy` set; true when it succeeded, false with its failure in `error`. */
  async function run(task: () => Promise<unknown>): Promise<boolean> {
    busy.value = true;
    error.value = null;
    try {
      await task();
      return true;
    } catch (caught) {
      error.value = caught;
      return false;
    } finally {
      busy.value = false;
    }
  }

  return { busy, error, run };
}
