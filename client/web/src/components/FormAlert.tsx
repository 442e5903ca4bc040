/** A form-level error that screen readers read out as soon as it appears. */
export function FormAlert({ message }: { message: string }) {
  if (!message) return null;
  return (
    <p className="alert" role="alert">
      {message}
    </p>
  );
}
