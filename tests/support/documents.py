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
summary downloadUrl createdAt startedAt finishedAt expiresAt version dateFrom dateTo runAt
schedule { id } deliveries { channel target status attempts error sentAt }
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
REGENERATE_REPORT = (
    f"mutation Regenerate($id: ID!) {{ regenerateReport(id: $id) {{ {JOB_FIELDS} }} }}"
)

SCHEDULE_FIELDS = """
id name kind format priority title cron timeZone period enabled
deliverTo { channel target } nextRunAt lastRunAt createdAt
"""
RUN_FIELDS = "id scheduledFor createdAt job { id status dateFrom dateTo }"
CREATE_SCHEDULE = f"""
mutation CreateSchedule($input: ReportScheduleInput!) {{
  createReportSchedule(input: $input) {{ {SCHEDULE_FIELDS} }}
}}
"""
UPDATE_SCHEDULE = f"""
mutation UpdateSchedule($id: ID!, $input: ReportScheduleInput!) {{
  updateReportSchedule(id: $id, input: $input) {{ {SCHEDULE_FIELDS} }}
}}
"""
SET_SCHEDULE_ENABLED = f"""
mutation SetEnabled($id: ID!, $enabled: Boolean!) {{
  setReportScheduleEnabled(id: $id, enabled: $enabled) {{ {SCHEDULE_FIELDS} }}
}}
"""
RUN_SCHEDULE_NOW = f"""
mutation RunNow($id: ID!) {{ runReportScheduleNow(id: $id) {{ {RUN_FIELDS} }} }}
"""
DELETE_SCHEDULE = "mutation DeleteSchedule($id: ID!) { deleteReportSchedule(id: $id) }"
SCHEDULE = f"""
query Schedule($id: ID!) {{
  reportSchedule(id: $id) {{
    {SCHEDULE_FIELDS} runs(first: 100) {{ totalCount edges {{ node {{ {RUN_FIELDS} }} }} }}
  }}
}}
"""
SCHEDULES = f"""
query Schedules($first: Int, $after: String) {{
  reportSchedules(first: $first, after: $after) {{
    totalCount edges {{ cursor node {{ {SCHEDULE_FIELDS} }} }} pageInfo {{ hasNextPage endCursor }}
  }}
}}
"""
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
LOGOUT = "mutation { logout }"
