// Runs `task` at most once per `ms`: a burst of notifications costs one REST refresh, and a
// call that arrives while one runs is kept for right after it.
export function throttled(task: () => Promise<void>, ms: number): () => void {
  let running = false;
  let again = false;
  let last = 0;
  const run = async () => {
    running = true;
    last = Date.now();
    try {
      await task();
    } finally {
      running = false;
      if (again) {
        again = false;
        schedule();
      }
    }
  };
  const schedule = () => {
    if (running) {
      again = true;
      return;
    }
    const wait = Math.max(0, last + ms - Date.now());
    setTimeout(() => void run(), wait);
  };
  return schedule;
}
