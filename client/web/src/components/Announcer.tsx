import { useEffect, useState } from "react";

// Status changes are read out politely: after whatever the person is hearing now.
type Listener = (text: string) => void;
const listeners = new Set<Listener>();

export function announce(text: string): void {
  listeners.forEach((listener) => listener(text));
}

export function Announcer() {
  const [text, setText] = useState("");
  useEffect(() => {
    const listener: Listener = (next) => setText(next);
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }, []);
  return (
    <div className="visually-hidden" role="status" aria-live="polite" aria-atomic="true">
      {text}
    </div>
  );
}
