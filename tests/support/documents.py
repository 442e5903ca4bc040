"""GraphQL documents the tests send, written as a client would write them."""

REGISTER = """
mutation Register($email: String!, $password: String!) {
  register(email: $email, password: $password) { token user { id email } }
}
"""

LOGIN = """
mutation Login($email: String!, $password: String!) {
  login(email: $email, password: $password) { token user { id email } }
}
"""

ME = "query { me { id email } }"

PRODUCT_FIELDS = "id sku name price stock"

UPSERT_PRODUCT = f"""
mutation Upsert($input: ProductInput!) {{ upsertProduct(input: $input) {{ {PRODUCT_FIELDS} }} }}
"""

PRODUCTS = f"""
query Products($first: Int, $after: String) {{
  products(first: $first, after: $after) {{
    totalCount pageInfo {{ hasNextPage endCursor }} edges {{ cursor node {{ {PRODUCT_FIELDS} }} }}
  }}
}}
"""

ORDER_FIELDS = """
id customerName customerEmail status total createdAt completedAt
items { quantity unitPrice lineTotal product { id sku name price stock } }
"""

CREATE_ORDER = f"""
mutation Create($input: CreateOrderInput!) {{ createOrder(input: $input) {{ {ORDER_FIELDS} }} }}
"""
COMPLETE_ORDER = f"mutation Complete($id: ID!) {{ completeOrder(id: $id) {{ {ORDER_FIELDS} }} }}"
CANCEL_ORDER = f"mutation Cancel($id: ID!) {{ cancelOrder(id: $id) {{ {ORDER_FIELDS} }} }}"
ORDER = f"query Order($id: ID!) {{ order(id: $id) {{ {ORDER_FIELDS} }} }}"
ORDERS = f"""
query Orders($status: OrderStatus, $first: Int, $after: String) {{
  orders(status: $status, first: $first, after: $after) {{
    totalCount pageInfo {{ hasNextPage endCursor }} edges {{ cursor node {{ {ORDER_FIELDS} }} }}
  }}
}}
"""

JOB_FIELDS = """
id title kind format status progress message priority attempts error rowCount fileSize
summary downloadUrl createdAt startedAt finishedAt expiresAt version
"""

REQUEST_REPORT = f"""
mutation Request($input: RequestReportInput!) {{ requestReport(input: $input) {{ {JOB_FIELDS} }} }}
"""
CANCEL_REPORT = f"mutation CancelReport($id: ID!) {{ cancelReport(id: $id) {{ {JOB_FIELDS} }} }}"
RETRY_REPORT = f"mutation RetryReport($id: ID!) {{ retryReport(id: $id) {{ {JOB_FIELDS} }} }}"
DELETE_REPORT = "mutation DeleteReport($id: ID!) { deleteReport(id: $id) }"
REPORT_STATS = """
query { reportStats {
  jobsByStatus { status count } queueDepth { priority count } jobsRunning
  completedLastHour meanDurationSeconds p95DurationSeconds workersAlive
} }
"""
REPORT_JOB = f"query Job($id: ID!) {{ reportJob(id: $id) {{ {JOB_FIELDS} }} }}"
REPORT_JOBS = f"""
query Jobs($status: JobStatus, $kind: ReportKind, $first: Int, $after: String) {{
  reportJobs(status: $status, kind: $kind, first: $first, after: $after) {{
    totalCount pageInfo {{ hasNextPage endCursor }} edges {{ cursor node {{ {JOB_FIELDS} }} }}
  }}
}}
"""

WATCH_JOB = f"subscription Watch($id: ID!) {{ reportJob(id: $id) {{ {JOB_FIELDS} }} }}"
WATCH_JOBS = f"""
subscription WatchAll($status: [JobStatus!]) {{ reportJobs(status: $status) {{ {JOB_FIELDS} }} }}
"""
