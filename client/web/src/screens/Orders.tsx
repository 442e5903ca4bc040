import { useMutation, useQuery } from "@apollo/client/react";
import { useEffect, useId, useRef, useState, type ChangeEvent, type FormEvent } from "react";

import { announce } from "../components/Announcer";
import { Field } from "../components/Field";
import { FormAlert } from "../components/FormAlert";
import { LoadError } from "../components/LoadError";
import { Pager } from "../components/Pager";
import { describeError, leftoverMessage, NO_PROBLEM, type Problem } from "../errors";
import { ORDER_STATUSES } from "../enums";
import { formatDateTime, formatMoney, humanize } from "../format";
import type { OrderFieldsFragment, OrderItemInput, OrderStatus } from "../gql/graphql";
import { CANCEL_ORDER, COMPLETE_ORDER, CREATE_ORDER, ORDERS, PRODUCTS } from "../operations";
import { usePaging } from "../paging";

const PAGE_SIZE = 20;
const SKU_SUGGESTIONS = 100;
const ITEMS_SHOWN = 3;
// OrderFields asks for an order's first 20 lines: having all 20 means there may be more.
const ITEMS_FETCHED = 20;
const NOT_WHOLE = "Quantity must be a whole number.";

interface Line {
  key: number;
  sku: string;
  quantity: string;
}

/** A whole number as typed, or null when the text is not one. */
function parseWholeNumber(text: string): number | null {
  const trimmed = text.trim();
  return /^-?\d+$/.test(trimmed) ? Number(trimmed) : null;
}

function withoutLineErrors(problem: Problem): Problem {
  const fields = Object.fromEntries(
    Object.entries(problem.fields).filter(([field]) => !field.startsWith("items[")),
  );
  return { ...problem, fields };
}

function countOf(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

export function Orders() {
  const paging = usePaging();
  const [status, setStatus] = useState<OrderStatus | null>(null);
  const { data, loading, error, refetch } = useQuery(ORDERS, {
    variables: { status, first: PAGE_SIZE, after: paging.after },
    // Orders change in other tabs and by other people: show the cache at once, then re-read.
    fetchPolicy: "cache-and-network",
  });
  const connection = data?.orders;
  const orders = connection?.edges.map((edge) => edge.node) ?? [];

  const changeStatus = (event: ChangeEvent<HTMLSelectElement>) => {
    setStatus(ORDER_STATUSES.find((value) => value === event.target.value) ?? null);
    paging.reset();
  };

  return (
    <>
      <h1>Orders</h1>
      <NewOrder />
      <section aria-labelledby="order-list-heading">
        <h2 id="order-list-heading">Order list</h2>
        <div className="filters">
          <Field label="Status">
            <select value={status ?? ""} onChange={changeStatus}>
              <option value="">All</option>
              {ORDER_STATUSES.map((value) => (
                <option key={value} value={value}>
                  {humanize(value)}
                </option>
              ))}
            </select>
          </Field>
        </div>
        {error ? (
          <LoadError error={error} onRetry={refetch}>
            Orders could not be loaded.
          </LoadError>
        ) : null}
        {!connection && loading ? <p role="status">Loading orders…</p> : null}
        {connection && orders.length === 0 ? (
          <p className="muted">
            {status ? `No ${humanize(status).toLowerCase()} orders.` : "No orders yet."}
          </p>
        ) : null}
        {connection && orders.length > 0 ? (
          <>
            <p className="muted">
              {countOf(connection.totalCount, "order", "orders")}
              {status ? `, ${humanize(status).toLowerCase()}` : ""}.
            </p>
            <table className="data" aria-labelledby="order-list-heading">
              <thead>
                <tr>
                  <th scope="col">Customer</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="number">
                    Total
                  </th>
                  <th scope="col">Created</th>
                  <th scope="col">Completed</th>
                  <th scope="col">Items</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {orders.map((order) => (
                  <OrderRow key={order.id} order={order} />
                ))}
              </tbody>
            </table>
          </>
        ) : null}
        <Pager paging={paging} pageInfo={connection?.pageInfo} label="Order pages" />
      </section>
    </>
  );
}

function OrderRow({ order }: { order: OrderFieldsFragment }) {
  const [complete, completing] = useMutation(COMPLETE_ORDER);
  const [cancel, cancelling] = useMutation(CANCEL_ORDER);
  const [problem, setProblem] = useState("");
  const statusBadge = useRef<HTMLSpanElement>(null);
  const createdId = useId();
  const busy = completing.loading || cancelling.loading;
  const variables = { id: order.id };

  // The list is not re-read afterwards: the order stays where it is with its new status
  // instead of vanishing from under the person (and their focus) in a filtered list.
  const act = async (run: () => Promise<unknown>, done: string) => {
    setProblem("");
    try {
      await run();
      announce(`Order for ${order.customerName} ${done}.`);
      // Its buttons are gone now that it is no longer pending: stay on this row.
      statusBadge.current?.focus();
    } catch (error) {
      setProblem(leftoverMessage(describeError(error), []));
    }
  };

  const hidden = order.items.length - ITEMS_SHOWN;
  return (
    <tr>
      <td data-label="Customer">
        <div>
          {order.customerName}
          <br />
          <span className="muted">{order.customerEmail}</span>
        </div>
      </td>
      <td data-label="Status">
        <span ref={statusBadge} tabIndex={-1} className={`status status-${order.status}`}>
          {humanize(order.status)}
        </span>
      </td>
      <td data-label="Total" className="number">
        {formatMoney(order.total)}
      </td>
      <td data-label="Created" id={createdId}>
        {formatDateTime(order.createdAt)}
      </td>
      <td data-label="Completed">{formatDateTime(order.completedAt)}</td>
      <td data-label="Items">
        <ul className="plain-list">
          {order.items.slice(0, ITEMS_SHOWN).map((item, index) => (
            <li key={index}>
              {item.quantity} × {item.product.sku}
            </li>
          ))}
          {hidden > 0 ? (
            <li className="muted">
              and {order.items.length >= ITEMS_FETCHED ? "at least " : ""}
              {countOf(hidden, "more line", "more lines")}
            </li>
          ) : null}
        </ul>
      </td>
      <td data-label="Actions">
        {/* One child: at phone width a cell is a two-column grid, its label then this. */}
        <div>
          {order.status === "PENDING" ? (
            <div className="actions">
              <button
                type="button"
                className="primary"
                disabled={busy}
                aria-label={`Complete order for ${order.customerName}`}
                aria-describedby={createdId}
                onClick={() => void act(() => complete({ variables }), "completed")}
              >
                Complete
              </button>
              <button
                type="button"
                className="danger"
                disabled={busy}
                aria-label={`Cancel order for ${order.customerName}`}
                aria-describedby={createdId}
                onClick={() => void act(() => cancel({ variables }), "cancelled")}
              >
                Cancel
              </button>
            </div>
          ) : (
            <span className="muted">—</span>
          )}
          <FormAlert message={problem} />
        </div>
      </td>
    </tr>
  );
}

function NewOrder() {
  const nextKey = useRef(1);
  const newLine = (): Line => ({ key: nextKey.current++, sku: "", quantity: "1" });
  const [customerName, setCustomerName] = useState("");
  const [customerEmail, setCustomerEmail] = useState("");
  const [lines, setLines] = useState<Line[]>(() => [newLine()]);
  const [problem, setProblem] = useState<Problem>(NO_PROBLEM);
  const [createOrder, { loading }] = useMutation(CREATE_ORDER);
  const suggestions = useQuery(PRODUCTS, { variables: { first: SKU_SUGGESTIONS } });
  const skuListId = useId();
  const itemsErrorId = useId();
  const form = useRef<HTMLFormElement>(null);
  const nameInput = useRef<HTMLInputElement>(null);
  const skuInputs = useRef(new Map<number, HTMLInputElement>());

  // Where the focus goes once the next render is on screen: a line's SKU, or the first
  // field the API refused.
  const focusLine = useRef<number | null>(null);
  const refused = useRef(false);
  useEffect(() => {
    if (focusLine.current !== null) skuInputs.current.get(focusLine.current)?.focus();
    if (refused.current) form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
    focusLine.current = null;
    refused.current = false;
  });

  const refuse = (next: Problem) => {
    refused.current = true;
    setProblem(next);
  };

  const updateLine = (key: number, change: Partial<Omit<Line, "key">>) =>
    setLines(lines.map((line) => (line.key === key ? { ...line, ...change } : line)));

  const addLine = () => {
    const line = newLine();
    setLines([...lines, line]);
    focusLine.current = line.key;
  };

  const removeLine = (key: number) => {
    const index = lines.findIndex((line) => line.key === key);
    const rest = lines.filter((line) => line.key !== key);
    setLines(rest);
    // The lines after it move up, so what the API said about line positions no longer fits.
    setProblem(withoutLineErrors(problem));
    focusLine.current = (rest[index] ?? rest[index - 1])?.key ?? null;
    announce(`Line ${index + 1} removed.`);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const items: OrderItemInput[] = [];
    const fields: Record<string, string> = {};
    lines.forEach((line, index) => {
      const quantity = parseWholeNumber(line.quantity);
      if (quantity === null) fields[`items[${index}].quantity`] = NOT_WHOLE;
      else items.push({ sku: line.sku.trim(), quantity });
    });
    if (Object.keys(fields).length > 0) {
      refuse({ message: "", fields, code: null });
      return;
    }
    setProblem(NO_PROBLEM);
    try {
      const { data } = await createOrder({
        variables: {
          input: { customerName: customerName.trim(), customerEmail: customerEmail.trim(), items },
        },
        refetchQueries: [ORDERS],
      });
      setCustomerName("");
      setCustomerEmail("");
      setLines([newLine()]);
      announce(`Order for ${data?.createOrder.customerName ?? customerName.trim()} created.`);
      // Ready for the next order without reaching for the mouse.
      nameInput.current?.focus();
    } catch (error) {
      refuse(describeError(error));
    }
  };

  const itemsError = problem.fields.items;
  return (
    <section aria-labelledby="new-order-heading">
      <h2 id="new-order-heading">New order</h2>
      <form
        ref={form}
        onSubmit={(event) => void submit(event)}
        noValidate
        aria-labelledby="new-order-heading"
      >
        <div className="form-grid">
          <Field label="Customer name" error={problem.fields.customerName}>
            <input
              ref={nameInput}
              required
              autoComplete="off"
              value={customerName}
              onChange={(event) => setCustomerName(event.target.value)}
            />
          </Field>
          <Field label="Customer email" error={problem.fields.customerEmail}>
            <input
              type="email"
              required
              autoComplete="off"
              value={customerEmail}
              onChange={(event) => setCustomerEmail(event.target.value)}
            />
          </Field>
        </div>
        <fieldset className="order-lines" aria-describedby={itemsError ? itemsErrorId : undefined}>
          <legend>Items</legend>
          {itemsError ? (
            <p className="field-error" id={itemsErrorId} role="alert">
              {itemsError}
            </p>
          ) : null}
          {lines.map((line, index) => (
            <div key={line.key} className="form-grid">
              <Field label="SKU" error={problem.fields[`items[${index}].sku`]}>
                <input
                  ref={(element) => {
                    if (element) skuInputs.current.set(line.key, element);
                    return () => {
                      skuInputs.current.delete(line.key);
                    };
                  }}
                  aria-label={`SKU, line ${index + 1}`}
                  list={skuListId}
                  required
                  autoComplete="off"
                  autoCapitalize="off"
                  spellCheck={false}
                  value={line.sku}
                  onChange={(event) => updateLine(line.key, { sku: event.target.value })}
                />
              </Field>
              <Field label="Quantity" error={problem.fields[`items[${index}].quantity`]}>
                <input
                  aria-label={`Quantity, line ${index + 1}`}
                  inputMode="numeric"
                  required
                  autoComplete="off"
                  value={line.quantity}
                  onChange={(event) => updateLine(line.key, { quantity: event.target.value })}
                />
              </Field>
              <div className="actions align-end">
                <button
                  type="button"
                  aria-label={`Remove line ${index + 1}`}
                  disabled={lines.length === 1}
                  onClick={() => removeLine(line.key)}
                >
                  Remove line
                </button>
              </div>
            </div>
          ))}
          <datalist id={skuListId}>
            {suggestions.data?.products.edges.map(({ node }) => (
              <option key={node.id} value={node.sku}>
                {node.name}
              </option>
            ))}
          </datalist>
          <div className="actions">
            <button type="button" onClick={addLine}>
              Add line
            </button>
          </div>
        </fieldset>
        <FormAlert message={leftoverMessage(problem, ["customerName", "customerEmail", "items"])} />
        <div className="actions">
          <button type="submit" className="primary" disabled={loading}>
            Create order
          </button>
        </div>
      </form>
    </section>
  );
}
