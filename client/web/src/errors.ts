import { CombinedGraphQLErrors } from "@apollo/client/errors";

/** What went wrong, for the person: a general message, and messages by the field they name. */
export interface Problem {
  message: string;
  fields: Record<string, string>;
  code: string | null;
}

/** No problem: nothing to show. */
export const NO_PROBLEM: Problem = { message: "", fields: {}, code: null };

// The API names the input a BAD_USER_INPUT is about in extensions.field
// ("price", "items[0].sku", "deliverTo"); the form shows it beside that field.
export function describeError(error: unknown): Problem {
  if (CombinedGraphQLErrors.is(error)) {
    const fields: Record<string, string> = {};
    const general: string[] = [];
    let code: string | null = null;
    for (const item of error.errors) {
      const field = item.extensions?.field;
      code ??= typeof item.extensions?.code === "string" ? item.extensions.code : null;
      if (typeof field === "string") fields[field] = item.message;
      else general.push(item.message);
    }
    return { message: general.join(" "), fields, code };
  }
  if (error instanceof Error) {
    return {
      message: `The service could not be reached (${error.message}). Try again in a moment.`,
      fields: {},
      code: null,
    };
  }
  return { message: "Something went wrong.", fields: {}, code: null };
}

/** The field messages not shown beside any of `shown`, joined for a form-level alert. */
export function leftoverMessage(problem: Problem, shown: readonly string[]): string {
  const rest = Object.entries(problem.fields)
    .filter(([field]) => !shown.some((name) => field === name || field.startsWith(`${name}[`)))
    .map(([, message]) => message);
  return [problem.message, ...rest].filter(Boolean).join(" ");
}
