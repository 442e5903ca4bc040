import { useEffect, useRef } from "react";

// Status changes are read out politely: after whatever the person is hearing now.
type Listener = (text: string) => void;
const listeners = new Set<Listener>();

export function announce(text: string): void {
  listeners.forEach((listener) => listener(text));
}

export function Announcer() {
  const region = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let frame = 0;
    // Emptied first, then filled on the next frame: the same message twice in a row
    // is a change of the region's text too, so it is read again.
    const listener: Listener = (next) => {
      const element = region.current;
      if (!element) return;
      cancelAnimationFrame(frame);
      element.textContent = "";
      frame = requestAnimationFrame(() => {
        element.textContent = next;
      });
    };
    listeners.add(listener);
    return () => {
      cancelAnimationFrame(frame);
      listeners.delete(listener);
    };
  }, []);
  // React renders no children here: the text is only ever set by the listener above.
  return (
    <div
      ref={region}
      className="visually-hidden"
      role="status"
      aria-live="polite"
      aria-atomic="true"
    />
  );
}
