import type { JobStatus, OrderStatus, Priority, ReportFormat, ReportKind } from "./gql/graphql";

// The enum values the screens list, in the order they list them. The generated types
// say which values exist, not in what order to show them.

export const JOB_STATUSES: readonly JobStatus[] = [
  "PENDING",
  "RUNNING",
  "COMPLETED",
  "FAILED",
  "CANCELLED",
];

export const ORDER_STATUSES: readonly OrderStatus[] = ["PENDING", "COMPLETED", "CANCELLED"];

/** Least urgent first: the order they are offered in for choosing. */
export const PRIORITIES: readonly Priority[] = ["LOW", "NORMAL", "HIGH", "URGENT"];

/** Most urgent first: the order figures about waiting work are read in (the dashboard). */
export const PRIORITIES_HIGH_FIRST: readonly Priority[] = [...PRIORITIES].reverse();

export const REPORT_KINDS: readonly ReportKind[] = ["ORDERS", "SALES", "INVENTORY", "CUSTOMERS"];

export const REPORT_FORMATS: readonly ReportFormat[] = ["CSV", "PDF"];
