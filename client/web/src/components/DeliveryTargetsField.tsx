import { useId } from "react";

import type { DeliveryTargetInput } from "../gql/graphql";

/** One line of the editor: where a finished report also goes. */
export interface TargetLine {
  channel: "EMAIL" | "WEBHOOK";
  target: string;
}

export function toTargetInputs(lines: readonly TargetLine[]): DeliveryTargetInput[] {
  return lines
    .filter((line) => line.target.trim() !== "")
    .map((line) =>
      line.channel === "EMAIL"
        ? { email: line.target.trim() }
        : { webhookUrl: line.target.trim() },
    );
}

interface DeliveryTargetsFieldProps {
  lines: TargetLine[];
  onChange: (lines: TargetLine[]) => void;
  /** The API's message for "deliverTo", if it refused the targets. */
  error?: string | undefined;
}

/** Email addresses and webhook URLs, a line each, added and removed by buttons. */
export function DeliveryTargetsField({ lines, onChange, error }: DeliveryTargetsFieldProps) {
  const id = useId();
  const update = (index: number, change: Partial<TargetLine>) =>
    onChange(lines.map((line, at) => (at === index ? { ...line, ...change } : line)));
  return (
    <fieldset className="targets" aria-describedby={error ? `${id}-error` : undefined}>
      <legend>Deliver to</legend>
      {lines.length === 0 ? <p className="hint">Nowhere else: download it here.</p> : null}
      {lines.map((line, index) => (
        <div className="target-line" key={index}>
          <select
            aria-label={`Channel, target ${index + 1}`}
            value={line.channel}
            onChange={(event) =>
              update(index, { channel: event.target.value as TargetLine["channel"] })
            }
          >
            <option value="EMAIL">Email</option>
            <option value="WEBHOOK">Webhook</option>
          </select>
          <input
            aria-label={
              line.channel === "EMAIL"
                ? `Email address, target ${index + 1}`
                : `Webhook URL, target ${index + 1}`
            }
            type={line.channel === "EMAIL" ? "email" : "url"}
            placeholder={line.channel === "EMAIL" ? "finance@example.com" : "https://example.com/hook"}
            value={line.target}
            onChange={(event) => update(index, { target: event.target.value })}
          />
          <button
            type="button"
            aria-label={`Remove target ${index + 1}`}
            onClick={() => onChange(lines.filter((_, at) => at !== index))}
          >
            Remove
          </button>
        </div>
      ))}
      <button
        type="button"
        onClick={() => onChange([...lines, { channel: "EMAIL", target: "" }])}
      >
        Add delivery target
      </button>
      {error ? (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}
