export function Schedules() {
  return (
    <section>
      <h1>Schedules</h1>
    </section>
  );
}
