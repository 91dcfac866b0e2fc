/**
 * Measures the slow container set-up steps and prints how long each took. Durations are reported,
 * never asserted: speed belongs in bench/, and CI machines vary.
 */
export async function timed<T>(label: string, step: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await step();
  } finally {
    const seconds = (performance.now() - started) / 1000;
    console.log(`[container tests] ${label}: ${seconds.toFixed(1)} s`);
  }
}
