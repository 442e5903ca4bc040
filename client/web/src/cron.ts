// Cron as the API reads it (cronsim, Debian cron rules; models/schedule_calendar.py),
// so the schedule form can say in words, and show when, an expression runs before
// it is saved. The API stays the judge: this is a preview.
import cronstrue from "cronstrue";

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
// cronsim gives up on an expression that matches nothing within 50 years.
const SEARCH_DAYS = 366 * 50;

const FIELD_NAMES = ["minute", "hour", "day-of-month", "month", "day-of-week"] as const;
const MINUTE = 0;
const HOUR = 1;
const DAY_OF_MONTH = 2;
const MONTH = 3;
const DAY_OF_WEEK = 4;
type FieldIndex = 0 | 1 | 2 | 3 | 4;

// Day-of-week 7 is Sunday too, as in cronsim.
const RANGES: readonly (readonly [number, number])[] = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 7],
];
const DAY_NAMES = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const MONTH_NAMES = [
  "JAN",
  "FEB",
  "MAR",
  "APR",
  "MAY",
  "JUN",
  "JUL",
  "AUG",
  "SEP",
  "OCT",
  "NOV",
  "DEC",
];
// February counted as 29: a day-of-month check must allow leap years.
const LONGEST_MONTH = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

type Item =
  | { kind: "value"; value: number }
  | { kind: "last" } // L in day-of-month
  | { kind: "lastWeekday" } // LW in day-of-month
  | { kind: "lastOf"; weekday: number } // 5L: the month's last Friday
  | { kind: "nth"; weekday: number; nth: number }; // MON#2: the month's second Monday

class CronError extends Error {}

/** A parsed five-field expression: everything needed to find its occurrences. */
export interface CronSchedule {
  /** The expression with single spaces, as the API stores it. */
  expression: string;
  minutes: readonly number[];
  hours: readonly number[];
  months: ReadonlySet<number>;
  daysOfMonth: ReadonlySet<number>;
  lastDay: boolean;
  lastWeekday: boolean;
  weekdays: ReadonlySet<number>;
  lastWeekdays: ReadonlySet<number>;
  nthWeekdays: ReadonlySet<string>;
  /** Debian cron: the day fields are ANDed when either starts with "*", else ORed. */
  dayAnd: boolean;
  /** Minute and hour name set times: one lost to a clock change runs at the gap's end. */
  fixedTime: boolean;
  /** The hour field is every hour ("*", "*\/n"): both copies of a repeated hour run. */
  everyHour: boolean;
}

export type CronReading =
  { valid: true; schedule: CronSchedule; description: string } | { valid: false; reason: string };

function bad(field: FieldIndex): CronError {
  return new CronError(`Bad ${FIELD_NAMES[field]}.`);
}

function digits(field: FieldIndex, text: string): number {
  if (!/^[0-9]+$/.test(text)) throw bad(field);
  return Number(text);
}

function fieldValue(field: FieldIndex, text: string): number {
  if (field === MONTH && MONTH_NAMES.includes(text)) return MONTH_NAMES.indexOf(text) + 1;
  if (field === DAY_OF_WEEK && DAY_NAMES.includes(text)) return DAY_NAMES.indexOf(text);
  const value = digits(field, text);
  const [low, high] = RANGES[field] ?? [0, 0];
  if (value < low || value > high) throw bad(field);
  return value;
}

function span(start: number, end: number, step = 1): Item[] {
  const items: Item[] = [];
  for (let value = start; value <= end; value += step) items.push({ kind: "value", value });
  return items;
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return [text.slice(0, at), text.slice(at + separator.length)];
}

// The same cases, in the same order, as cronsim's Field.parse: what one accepts,
// the other does.
function parseField(field: FieldIndex, text: string): Item[] {
  const [low, high] = RANGES[field] ?? [0, 0];
  if (text === "*") return span(low, high);
  if (text.includes(",")) return text.split(",").flatMap((term) => parseField(field, term));
  if (field === DAY_OF_WEEK && text.includes("L")) {
    const head = text.slice(0, -1);
    if (!/^[0-9]+$/.test(head)) throw bad(field);
    return [{ kind: "lastOf", weekday: fieldValue(field, head) % 7 }];
  }
  if (field === DAY_OF_WEEK && text.includes("#")) {
    const [term, nthText] = splitOnce(text, "#");
    const nth = digits(field, nthText);
    if (nth < 1 || nth > 5) throw bad(field);
    return [{ kind: "nth", weekday: fieldValue(field, term) % 7, nth }];
  }
  if (text.includes("/")) {
    const [term, stepText] = splitOnce(text, "/");
    const step = digits(field, stepText);
    if (step === 0) throw bad(field);
    const items = parseField(field, term);
    const [only] = items;
    if (items.length === 1 && only && only.kind !== "value") {
      if (only.kind === "last" || only.kind === "lastWeekday") return items;
      throw bad(field);
    }
    // "5/15": from 5 to the field's end; "*/15", "1-30/5": every step-th of those.
    if (items.length === 1 && only?.kind === "value") return span(only.value, high, step);
    const values = items
      .map((item) => (item.kind === "value" ? item.value : Number.NaN))
      .sort((a, b) => a - b);
    if (values.some(Number.isNaN)) throw bad(field);
    return values
      .filter((_, index) => index % step === 0)
      .map((value) => ({ kind: "value", value }));
  }
  if (text.includes("-")) {
    const [startText, endText] = splitOnce(text, "-");
    const start = fieldValue(field, startText);
    const end = fieldValue(field, endText);
    if (end < start) throw bad(field);
    return span(start, end);
  }
  if (field === DAY_OF_MONTH && text === "LW") return [{ kind: "lastWeekday" }];
  if (field === DAY_OF_MONTH && text === "L") return [{ kind: "last" }];
  return [{ kind: "value", value: fieldValue(field, text) }];
}

function valuesOf(items: readonly Item[], modulo?: number): number[] {
  const values = items.flatMap((item) =>
    item.kind === "value" ? [modulo ? item.value % modulo : item.value] : [],
  );
  return [...new Set(values)].sort((a, b) => a - b);
}

/** The expression read as the API reads it; a CronError says why it cannot be. */
function parseCron(expression: string): CronSchedule {
  const raw = expression.trim().split(/\s+/).filter(Boolean);
  if (raw.length !== 5) {
    throw new CronError(
      "Cron needs five fields (minute hour day-of-month month day-of-week); " +
        `this has ${raw.length}.`,
    );
  }
  const parts = raw.map((part) => part.toUpperCase());
  const [minuteText = "", hourText = "", domText = "", monthText = "", dowText = ""] = parts;
  const dom = parseField(DAY_OF_MONTH, domText);
  const dow = parseField(DAY_OF_WEEK, dowText);
  const months = valuesOf(parseField(MONTH, monthText));
  const schedule: CronSchedule = {
    expression: raw.join(" "),
    minutes: valuesOf(parseField(MINUTE, minuteText)),
    hours: valuesOf(parseField(HOUR, hourText)),
    months: new Set(months),
    daysOfMonth: new Set(valuesOf(dom)),
    lastDay: dom.some((item) => item.kind === "last"),
    lastWeekday: dom.some((item) => item.kind === "lastWeekday"),
    weekdays: new Set(valuesOf(dow, 7)),
    lastWeekdays: new Set(dow.flatMap((item) => (item.kind === "lastOf" ? [item.weekday] : []))),
    nthWeekdays: new Set(
      dow.flatMap((item) => (item.kind === "nth" ? [`${item.weekday}#${item.nth}`] : [])),
    ),
    dayAnd: domText.startsWith("*") || dowText.startsWith("*"),
    fixedTime: !minuteText.startsWith("*") && !hourText.startsWith("*"),
    everyHour: hourText === "*" || hourText.startsWith("*/"),
  };
  // cronsim refuses a day no chosen month has ("0 0 30 2 *"), when the day must match.
  const numericDaysOnly = !schedule.lastDay && !schedule.lastWeekday;
  const firstDay = Math.min(...schedule.daysOfMonth);
  if (schedule.dayAnd && numericDaysOnly && firstDay > 29) {
    const longest = Math.max(...months.map((month) => LONGEST_MONTH[month] ?? 0));
    if (firstDay > longest) throw bad(DAY_OF_MONTH);
  }
  return schedule;
}

/** The expression checked and described in words, for a form that updates as one types. */
export function readCron(expression: string): CronReading {
  let schedule: CronSchedule;
  try {
    schedule = parseCron(expression);
  } catch (error) {
    if (error instanceof CronError) return { valid: false, reason: error.message };
    throw error;
  }
  return { valid: true, schedule, description: describeSchedule(schedule) };
}

function describeSchedule(schedule: CronSchedule): string {
  try {
    return cronstrue.toString(schedule.expression, {
      use24HourTimeFormat: true,
      throwExceptionOnParseError: true,
      // Say "only on Monday" when the day fields must both match, as cron reads them.
      logicalAndDayFields: schedule.dayAnd,
    });
  } catch {
    // The API takes it but cronstrue has no words for it: the expression itself says it.
    return schedule.expression;
  }
}

/** A stored expression in words; the expression itself if it cannot be described. */
export function describeCron(expression: string): string {
  const reading = readCron(expression);
  return reading.valid ? reading.description : expression;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function lastWeekdayOfMonth(year: number, month: number): number {
  const last = daysInMonth(year, month);
  const weekday = new Date(Date.UTC(year, month - 1, last)).getUTCDay();
  if (weekday === 0) return last - 2;
  if (weekday === 6) return last - 1;
  return last;
}

function matchesDay(schedule: CronSchedule, year: number, month: number, day: number): boolean {
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  const byDate =
    schedule.daysOfMonth.has(day) ||
    (schedule.lastDay && day === daysInMonth(year, month)) ||
    (schedule.lastWeekday && day === lastWeekdayOfMonth(year, month));
  const byWeekday =
    schedule.weekdays.has(weekday) ||
    (schedule.lastWeekdays.has(weekday) && day + 7 > daysInMonth(year, month)) ||
    schedule.nthWeekdays.has(`${weekday}#${Math.floor((day + 6) / 7)}`);
  return schedule.dayAnd ? byDate && byWeekday : byDate || byWeekday;
}

const wallClocks = new Map<string, Intl.DateTimeFormat>();

function wallClock(timeZone: string): Intl.DateTimeFormat {
  let format = wallClocks.get(timeZone);
  if (!format) {
    // Throws a RangeError for a zone this browser does not know.
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    wallClocks.set(timeZone, format);
  }
  return format;
}

/** A zone's offset at an instant (ms since the epoch), as "wall clock minus UTC" in ms. */
type OffsetAt = (instant: number) => number;

/**
 * The zone's offset at an instant, as "wall clock minus UTC" in ms. Wall times are
 * handled as if they were UTC instants, so calendar arithmetic is plain Date.UTC.
 */
function offsetReader(timeZone: string): OffsetAt {
  const format = wallClock(timeZone);
  const seen = new Map<number, number>();
  return (instant) => {
    const known = seen.get(instant);
    if (known !== undefined) return known;
    const parts: Record<string, number> = {};
    for (const part of format.formatToParts(new Date(instant))) {
      if (part.type !== "literal") parts[part.type] = Number(part.value);
    }
    const wall = Date.UTC(
      parts.year ?? 1970,
      (parts.month ?? 1) - 1,
      parts.day ?? 1,
      // Some engines write midnight as 24 even with h23.
      (parts.hour ?? 0) % 24,
      parts.minute ?? 0,
      parts.second ?? 0,
    );
    const offset = wall - (instant - (((instant % 1000) + 1000) % 1000));
    seen.set(instant, offset);
    return offset;
  };
}

/** The first whole minute in [from, to] with the offset `offset`; `from` has another. */
function firstMinuteWith(offsetAt: OffsetAt, from: number, to: number, offset: number): number {
  let low = Math.floor(from / MINUTE_MS);
  let high = Math.ceil(to / MINUTE_MS);
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (offsetAt(middle * MINUTE_MS) === offset) high = middle;
    else low = middle;
  }
  return high * MINUTE_MS;
}

/**
 * The instants a wall time stands for: usually one; none in a spring-forward gap,
 * two in a fall-back overlap. Follows the API: a fixed time lost in a gap runs
 * once at the gap's end; a repeated one runs the first time only, unless the
 * hour field is every hour.
 */
function instantsOfWall(schedule: CronSchedule, offsetAt: OffsetAt, wall: number): number[] {
  const before = offsetAt(wall - DAY_MS);
  const after = offsetAt(wall + DAY_MS);
  const instants = [...new Set([before, after])]
    .map((offset) => wall - offset)
    .filter((instant) => offsetAt(instant) === wall - instant)
    .sort((a, b) => a - b);
  if (instants.length === 0) {
    // In the gap the clocks jumped over: the jump itself is the gap's end.
    if (!schedule.fixedTime) return [];
    return [firstMinuteWith(offsetAt, wall - after, wall - before, after)];
  }
  return schedule.everyHour ? instants : instants.slice(0, 1);
}

function instantsOnDay(schedule: CronSchedule, offsetAt: OffsetAt, midnight: number): number[] {
  const from = midnight - DAY_MS;
  const to = midnight + 2 * DAY_MS;
  const before = offsetAt(from);
  const after = offsetAt(to);
  // Near a clock change, find it once: then every time of the day is arithmetic, not
  // a formatToParts call a minute.
  const change = before === after ? Infinity : firstMinuteWith(offsetAt, from, to, after);
  const local: OffsetAt = (instant) => (instant >= change ? after : before);
  const instants: number[] = [];
  for (const hour of schedule.hours) {
    for (const minute of schedule.minutes) {
      const wall = midnight + hour * HOUR_MS + minute * MINUTE_MS;
      if (before === after) instants.push(wall - before);
      else instants.push(...instantsOfWall(schedule, local, wall));
    }
  }
  return instants;
}

/**
 * The next `count` occurrences strictly after `after`, read in the IANA zone.
 * Walks candidate days (skipping months the expression leaves out), then only the
 * hours and minutes it names: a year of a rare expression costs a few hundred steps.
 * Throws a RangeError for a zone the browser does not know.
 */
export function nextRuns(schedule: CronSchedule, timeZone: string, after: Date, count = 5): Date[] {
  const offsetAt = offsetReader(timeZone);
  const afterMs = after.getTime();
  const wallNow = afterMs + offsetAt(afterMs);
  // From the day before too: cheap insurance for clock changes close to midnight.
  let midnight = wallNow - (((wallNow % DAY_MS) + DAY_MS) % DAY_MS) - DAY_MS;
  const end = midnight + SEARCH_DAYS * DAY_MS;
  const found = new Set<number>();
  while (found.size < count && midnight <= end) {
    const date = new Date(midnight);
    const year = date.getUTCFullYear();
    const month = date.getUTCMonth() + 1;
    if (!schedule.months.has(month)) {
      midnight = Date.UTC(year, month, 1);
      continue;
    }
    if (matchesDay(schedule, year, month, date.getUTCDate())) {
      for (const instant of instantsOnDay(schedule, offsetAt, midnight)) {
        if (instant > afterMs) found.add(instant);
      }
    }
    midnight += DAY_MS;
  }
  return [...found]
    .sort((a, b) => a - b)
    .slice(0, count)
    .map((instant) => new Date(instant));
}

/** Whether this browser knows the IANA zone. */
export function isTimeZone(name: string): boolean {
  if (!name.trim()) return false;
  try {
    wallClock(name);
    return true;
  } catch {
    return false;
  }
}

/** The zone this browser runs in: the default for a new schedule. */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

let zoneNames: string[] | null = null;

/** Every IANA zone the browser knows, for picking one. */
export function timeZoneNames(): string[] {
  if (!zoneNames) {
    const names =
      typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
    // Some engines list only geographic zones; UTC is the API's default.
    zoneNames = names.includes("UTC") ? names : ["UTC", ...names];
  }
  return zoneNames;
}

const zoneFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * An instant as a wall time in the zone, with the zone's short name
 * ("Mon, 3 Mar 2025, 07:00 CET").
 */
export function formatInZone(instant: Date, timeZone: string): string {
  let format = zoneFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat(undefined, {
      timeZone,
      weekday: "short",
      year: "numeric",
      month: "short",
      day: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
      timeZoneName: "short",
    });
    zoneFormats.set(timeZone, format);
  }
  return format.format(instant);
}
