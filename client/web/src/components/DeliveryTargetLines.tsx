import { useEffect, useId, useRef } from "react";

import type { DeliveryTargetInput } from "../gql/graphql";

/** One line of the delivery list: an email address or a webhook URL, as typed. */
export interface TargetLine {
  key: number;
  value: string;
}

// The API keeps at most this many targets (models/deliveries.py).
export const MAX_TARGETS = 10;

let lastKey = 0;

/** A new line with a key no other line has, so React keeps each input's focus and text. */
export function newLine(value = ""): TargetLine {
  lastKey += 1;
  return { key: lastKey, value };
}

// Anything with a scheme ("https://…") is a webhook; the rest is taken for an email
// address, and the API says if it is not one.
function targetInput(value: string): DeliveryTargetInput {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? { webhookUrl: value } : { email: value };
}

/** The targets to send, and the key of the line each came from (blank lines left out). */
export function targetInputs(lines: readonly TargetLine[]): {
  inputs: DeliveryTargetInput[];
  sentKeys: number[];
} {
  const sent = lines
    .map((line) => ({ key: line.key, value: line.value.trim() }))
    .filter((line) => line.value !== "");
  return { inputs: sent.map((line) => targetInput(line.value)), sentKeys: sent.map((l) => l.key) };
}

/** The line an API message about "deliverTo[2]…" is about: the third target sent. */
export function invalidLineKey(message: string | undefined, sentKeys: readonly number[]) {
  const position = /deliverTo\[(\d+)\]/.exec(message ?? "")?.[1];
  return position === undefined ? null : (sentKeys[Number(position)] ?? null);
}

interface DeliveryTargetLinesProps {
  lines: readonly TargetLine[];
  onChange: (lines: TargetLine[]) => void;
  /** The API's message about deliverTo, if any. */
  error?: string | undefined;
  /** The line that message is about, when it names one. */
  invalidKey?: number | null;
}

export function DeliveryTargetLines(props: DeliveryTargetLinesProps) {
  const { lines, onChange, error, invalidKey } = props;
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const inputs = useRef(new Map<number, HTMLInputElement>());
  const addButton = useRef<HTMLButtonElement>(null);
  // Where focus goes once the list has re-rendered: a new line, or after a removal.
  const focusNext = useRef<number | "add" | null>(null);

  useEffect(() => {
    const target = focusNext.current;
    focusNext.current = null;
    if (target === "add") addButton.current?.focus();
    else if (target !== null) inputs.current.get(target)?.focus();
  });

  const add = () => {
    const line = newLine();
    focusNext.current = line.key;
    onChange([...lines, line]);
  };
  const remove = (index: number) => {
    const rest = lines.filter((_, at) => at !== index);
    focusNext.current = (rest[index] ?? rest[index - 1])?.key ?? "add";
    onChange(rest);
  };
  const edit = (index: number, value: string) =>
    onChange(lines.map((line, at) => (at === index ? { ...line, value } : line)));

  return (
    <fieldset
      className={error ? "field field-invalid" : "field"}
      aria-describedby={error ? `${hintId} ${errorId}` : hintId}
    >
      <legend>Delivery targets</legend>
      <p className="hint" id={hintId}>
        Each line one email address or webhook URL (https://…); every finished report is sent to
        each. At most {MAX_TARGETS}.
      </p>
      {lines.length === 0 ? (
        <p className="muted">None: reports are kept for download only.</p>
      ) : (
        <ol className="plain-list target-list">
          {lines.map((line, index) => (
            <li key={line.key} className="actions target-line">
              <input
                ref={(element) => {
                  if (element) inputs.current.set(line.key, element);
                  else inputs.current.delete(line.key);
                }}
                type="text"
                autoComplete="off"
                spellCheck={false}
                placeholder="name@example.com or https://…"
                aria-label={`Delivery target ${index + 1}`}
                aria-invalid={line.key === invalidKey ? true : undefined}
                aria-describedby={line.key === invalidKey ? errorId : undefined}
                value={line.value}
                onChange={(event) => edit(index, event.target.value)}
              />
              <button
                type="button"
                aria-label={`Remove delivery target ${index + 1}`}
                onClick={() => remove(index)}
              >
                Remove
              </button>
            </li>
          ))}
        </ol>
      )}
      <div className="actions">
        <button type="button" ref={addButton} onClick={add} disabled={lines.length >= MAX_TARGETS}>
          Add delivery target
        </button>
      </div>
      {error ? (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}
