import { useMutation, useQuery } from "@apollo/client/react";
import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from "react";

import { announce } from "../components/Announcer";
import { Field } from "../components/Field";
import { FormAlert } from "../components/FormAlert";
import { LoadError } from "../components/LoadError";
import { Pager } from "../components/Pager";
import { describeError, leftoverMessage, NO_PROBLEM, type Problem } from "../errors";
import { formatMoney } from "../format";
import type { ProductsQuery } from "../gql/graphql";
import { PRODUCTS, UPSERT_PRODUCT } from "../operations";
import { usePaging } from "../paging";

const PAGE_SIZE = 50;
const PRODUCT_FIELDS = ["sku", "name", "price", "stock"] as const;
const NOT_WHOLE = "Stock must be a whole number.";

type Product = ProductsQuery["products"]["edges"][number]["node"];

/** A whole number as typed, or null when the text is not one. */
function parseWholeNumber(text: string): number | null {
  const trimmed = text.trim();
  return /^-?\d+$/.test(trimmed) ? Number(trimmed) : null;
}

function fieldProblem(field: string, message: string): Problem {
  return { message: "", fields: { [field]: message }, code: null };
}

/** The problem to show; after a refused save, the focus goes to the first field it names. */
function useProblem<T extends HTMLElement>() {
  const container = useRef<T>(null);
  const refused = useRef(false);
  const [problem, setProblem] = useState<Problem>(NO_PROBLEM);
  useEffect(() => {
    if (!refused.current) return;
    refused.current = false;
    container.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  });
  const refuse = (next: Problem) => {
    refused.current = true;
    setProblem(next);
  };
  return { container, problem, refuse, clear: () => setProblem(NO_PROBLEM) };
}

export function Products() {
  const paging = usePaging();
  const { data, loading, error, refetch } = useQuery(PRODUCTS, {
    variables: { first: PAGE_SIZE, after: paging.after },
    // Stock changes when orders are completed elsewhere: show the cache at once, then re-read.
    fetchPolicy: "cache-and-network",
  });
  const connection = data?.products;
  const products = connection?.edges.map((edge) => edge.node) ?? [];

  return (
    <>
      <h1>Products</h1>
      <AddProduct skusOnPage={new Set(products.map((product) => product.sku))} />
      <section aria-labelledby="product-list-heading">
        <h2 id="product-list-heading">Product list</h2>
        {error ? (
          <LoadError error={error} onRetry={refetch}>
            Products could not be loaded.
          </LoadError>
        ) : null}
        {!connection && loading ? <p role="status">Loading products…</p> : null}
        {connection && products.length === 0 ? (
          <p className="muted">No products yet. Add the first one above.</p>
        ) : null}
        {connection && products.length > 0 ? (
          <>
            <p className="muted">
              {connection.totalCount} {connection.totalCount === 1 ? "product" : "products"}, by
              SKU.
            </p>
            <table className="data" aria-labelledby="product-list-heading">
              <thead>
                <tr>
                  <th scope="col">SKU</th>
                  <th scope="col">Name</th>
                  <th scope="col" className="number">
                    Price
                  </th>
                  <th scope="col" className="number">
                    Stock
                  </th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {products.map((product) => (
                  <ProductRow key={product.id} product={product} />
                ))}
              </tbody>
            </table>
          </>
        ) : null}
        <Pager paging={paging} pageInfo={connection?.pageInfo} label="Product pages" />
      </section>
    </>
  );
}

function AddProduct({ skusOnPage }: { skusOnPage: ReadonlySet<string> }) {
  const [sku, setSku] = useState("");
  const [name, setName] = useState("");
  const [price, setPrice] = useState("");
  const [stock, setStock] = useState("");
  const { container, problem, refuse, clear } = useProblem<HTMLFormElement>();
  const [upsert, { loading }] = useMutation(UPSERT_PRODUCT);
  const skuInput = useRef<HTMLInputElement>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const stockNumber = stock.trim() === "" ? 0 : parseWholeNumber(stock);
    if (stockNumber === null) {
      refuse(fieldProblem("stock", NOT_WHOLE));
      return;
    }
    clear();
    const cleanSku = sku.trim();
    try {
      const { data } = await upsert({
        variables: {
          input: { sku: cleanSku, name: name.trim(), price: price.trim(), stock: stockNumber },
        },
        // A product already on this page is updated in place by its id; any other may be new.
        refetchQueries: skusOnPage.has(cleanSku) ? [] : [PRODUCTS],
      });
      setSku("");
      setName("");
      setPrice("");
      setStock("");
      announce(`Product ${data?.upsertProduct.sku ?? cleanSku} saved.`);
      // Ready for the next product without reaching for the mouse.
      skuInput.current?.focus();
    } catch (error) {
      refuse(describeError(error));
    }
  };

  return (
    <section aria-labelledby="add-product-heading">
      <h2 id="add-product-heading">Add product</h2>
      <form
        ref={container}
        onSubmit={(event) => void submit(event)}
        noValidate
        aria-labelledby="add-product-heading"
      >
        <div className="form-grid">
          <Field label="SKU" error={problem.fields.sku}>
            <input
              ref={skuInput}
              required
              autoComplete="off"
              autoCapitalize="off"
              spellCheck={false}
              value={sku}
              onChange={(event) => setSku(event.target.value)}
            />
          </Field>
          <Field label="Name" error={problem.fields.name}>
            <input
              required
              autoComplete="off"
              value={name}
              onChange={(event) => setName(event.target.value)}
            />
          </Field>
          <Field label="Price" error={problem.fields.price} hint="For example 12.50">
            <input
              required
              inputMode="decimal"
              autoComplete="off"
              value={price}
              onChange={(event) => setPrice(event.target.value)}
            />
          </Field>
          <Field label="Stock" error={problem.fields.stock} hint="Units on hand; empty means 0">
            <input
              inputMode="numeric"
              autoComplete="off"
              value={stock}
              onChange={(event) => setStock(event.target.value)}
            />
          </Field>
        </div>
        <FormAlert message={leftoverMessage(problem, PRODUCT_FIELDS)} />
        <div className="actions">
          <button type="submit" className="primary" disabled={loading}>
            Add product
          </button>
          <span className="hint">A SKU that already exists is updated instead.</span>
        </div>
      </form>
    </section>
  );
}

function ProductRow({ product }: { product: Product }) {
  const [editing, setEditing] = useState(false);
  const editButton = useRef<HTMLButtonElement>(null);
  const wasEditing = useRef(false);
  useEffect(() => {
    // Back from the editor, the person carries on from this row's Edit button.
    if (wasEditing.current && !editing) editButton.current?.focus();
    wasEditing.current = editing;
  }, [editing]);

  if (editing) return <ProductEditor product={product} onDone={() => setEditing(false)} />;
  return (
    <tr>
      <td data-label="SKU">{product.sku}</td>
      <td data-label="Name">{product.name}</td>
      <td data-label="Price" className="number">
        {formatMoney(product.price)}
      </td>
      <td data-label="Stock" className="number">
        {product.stock.toLocaleString()}
      </td>
      <td data-label="Actions">
        <button
          type="button"
          ref={editButton}
          aria-label={`Edit ${product.sku}`}
          onClick={() => setEditing(true)}
        >
          Edit
        </button>
      </td>
    </tr>
  );
}

interface ProductEditorProps {
  product: Product;
  onDone: () => void;
}

/** The row in place, with price and stock editable; Enter saves, Escape cancels. */
function ProductEditor({ product, onDone }: ProductEditorProps) {
  const [price, setPrice] = useState(product.price);
  const [stock, setStock] = useState(String(product.stock));
  const { container, problem, refuse, clear } = useProblem<HTMLTableRowElement>();
  const [upsert, { loading }] = useMutation(UPSERT_PRODUCT);
  const formId = useId();
  const skuId = useId();
  const priceErrorId = useId();
  const stockErrorId = useId();
  const priceError = problem.fields.price;
  const stockError = problem.fields.stock;

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const stockNumber = parseWholeNumber(stock);
    if (stockNumber === null) {
      refuse(fieldProblem("stock", NOT_WHOLE));
      return;
    }
    clear();
    try {
      await upsert({
        variables: {
          input: { sku: product.sku, name: product.name, price: price.trim(), stock: stockNumber },
        },
      });
      announce(`Product ${product.sku} saved.`);
      onDone();
    } catch (error) {
      refuse(describeError(error));
    }
  };

  const cancelOnEscape = (event: KeyboardEvent) => {
    if (event.key === "Escape") onDone();
  };

  // The inputs sit in their own cells; the form attribute ties them to the form in the
  // last cell, since a form cannot wrap table cells. Each cell has one child: at phone
  // width a cell is a two-column grid, its label then this.
  return (
    <tr ref={container}>
      <td data-label="SKU" id={skuId}>
        {product.sku}
      </td>
      <td data-label="Name">{product.name}</td>
      <td data-label="Price" className="number">
        <div>
          <input
            form={formId}
            aria-label={`Price of ${product.sku}`}
            inputMode="decimal"
            autoComplete="off"
            autoFocus
            value={price}
            onChange={(event) => setPrice(event.target.value)}
            onKeyDown={cancelOnEscape}
            aria-invalid={priceError ? true : undefined}
            aria-describedby={priceError ? priceErrorId : undefined}
          />
          {priceError ? (
            <p className="field-error" id={priceErrorId}>
              {priceError}
            </p>
          ) : null}
        </div>
      </td>
      <td data-label="Stock" className="number">
        <div>
          <input
            form={formId}
            aria-label={`Stock of ${product.sku}`}
            inputMode="numeric"
            autoComplete="off"
            value={stock}
            onChange={(event) => setStock(event.target.value)}
            onKeyDown={cancelOnEscape}
            aria-invalid={stockError ? true : undefined}
            aria-describedby={stockError ? stockErrorId : undefined}
          />
          {stockError ? (
            <p className="field-error" id={stockErrorId}>
              {stockError}
            </p>
          ) : null}
        </div>
      </td>
      <td data-label="Actions">
        <form id={formId} onSubmit={(event) => void save(event)} noValidate>
          <div className="actions">
            <button type="submit" className="primary" disabled={loading} aria-describedby={skuId}>
              Save
            </button>
            <button type="button" onClick={onDone} disabled={loading} aria-describedby={skuId}>
              Cancel
            </button>
          </div>
          <FormAlert message={leftoverMessage(problem, ["price", "stock"])} />
        </form>
      </td>
    </tr>
  );
}
