/** Polled reads: every list and balance re-reads every `config.poll` ms and right after each action. */
import { useEffect, useRef, useState } from "react";
import { config } from "./config.ts";

const listeners = new Set<() => void>();

/** Makes every polled read re-read now (after a write). */
export function refresh(): void {
  for (const listener of listeners) listener();
}

export interface Polled<T> {
  data?: T;
  error?: string;
  loading: boolean;
}

export function usePoll<T>(read: () => Promise<T>, deps: readonly unknown[]): Polled<T> {
  const [state, setState] = useState<Polled<T>>({ loading: true });
  const readRef = useRef(read);
  readRef.current = read;
  useEffect(() => {
    let alive = true;
    let running = false;
    let again = false;
    const tick = async () => {
      if (running) {
        again = true;
        return;
      }
      running = true;
      try {
        const data = await readRef.current();
        if (alive) setState({ data, loading: false });
      } catch (e) {
        if (alive) setState((s) => ({ ...s, error: e instanceof Error ? e.message : String(e), loading: false }));
      } finally {
        running = false;
        if (again && alive) {
          again = false;
          void tick();
        }
      }
    };
    setState({ loading: true });
    void tick();
    const timer = setInterval(() => void tick(), config.poll);
    listeners.add(tick);
    return () => {
      alive = false;
      clearInterval(timer);
      listeners.delete(tick);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return state;
}
