// Every operation the app sends, typed by `npm run codegen` from schema.graphql.
import { graphql } from "./gql";

export const JOB_FIELDS = graphql(`
  fragment JobFields on ReportJob {
    id
    title
    kind
    format
    status
    progress
    message
    priority
    attempts
    error
    rowCount
    fileSize
    summary
    dateFrom
    dateTo
    createdAt
    startedAt
    finishedAt
    expiresAt
    runAt
    version
    downloadUrl
    schedule {
      id
      name
    }
    deliveries {
      channel
      target
      status
      attempts
      error
      sentAt
    }
  }
`);

export const REGISTER = graphql(`
  mutation Register($email: String!, $password: String!) {
    register(email: $email, password: $password) {
      token
      user {
        id
        email
      }
    }
  }
`);

export const LOGIN = graphql(`
  mutation Login($email: String!, $password: String!) {
    login(email: $email, password: $password) {
      token
      user {
        id
        email
      }
    }
  }
`);

export const LOGOUT = graphql(`
  mutation Logout {
    logout
  }
`);

export const ME = graphql(`
  query Me {
    me {
      id
      email
    }
  }
`);

export const PRODUCTS = graphql(`
  query Products($first: Int!, $after: String) {
    products(first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          sku
          name
          price
          stock
        }
      }
    }
  }
`);

export const UPSERT_PRODUCT = graphql(`
  mutation UpsertProduct($input: ProductInput!) {
    upsertProduct(input: $input) {
      id
      sku
      name
      price
      stock
    }
  }
`);

export const ORDER_FIELDS = graphql(`
  fragment OrderFields on Order {
    id
    customerName
    customerEmail
    status
    total
    createdAt
    completedAt
    items(first: 20) {
      quantity
      unitPrice
      lineTotal
      product {
        id
        sku
        name
      }
    }
  }
`);

export const ORDERS = graphql(`
  query Orders($status: OrderStatus, $first: Int!, $after: String) {
    orders(status: $status, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          ...OrderFields
        }
      }
    }
  }
`);

export const CREATE_ORDER = graphql(`
  mutation CreateOrder($input: CreateOrderInput!) {
    createOrder(input: $input) {
      ...OrderFields
    }
  }
`);

export const COMPLETE_ORDER = graphql(`
  mutation CompleteOrder($id: ID!) {
    completeOrder(id: $id) {
      ...OrderFields
    }
  }
`);

export const CANCEL_ORDER = graphql(`
  mutation CancelOrder($id: ID!) {
    cancelOrder(id: $id) {
      ...OrderFields
    }
  }
`);

export const REPORT_JOBS = graphql(`
  query ReportJobs($status: JobStatus, $kind: ReportKind, $first: Int!, $after: String) {
    reportJobs(status: $status, kind: $kind, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          ...JobFields
        }
      }
    }
  }
`);

export const REPORT_JOB = graphql(`
  query ReportJob($id: ID!) {
    reportJob(id: $id) {
      ...JobFields
    }
  }
`);

export const REQUEST_REPORT = graphql(`
  mutation RequestReport($input: RequestReportInput!) {
    requestReport(input: $input) {
      ...JobFields
    }
  }
`);

export const CANCEL_REPORT = graphql(`
  mutation CancelReport($id: ID!) {
    cancelReport(id: $id) {
      ...JobFields
    }
  }
`);

export const RETRY_REPORT = graphql(`
  mutation RetryReport($id: ID!) {
    retryReport(id: $id) {
      ...JobFields
    }
  }
`);

export const REGENERATE_REPORT = graphql(`
  mutation RegenerateReport($id: ID!) {
    regenerateReport(id: $id) {
      ...JobFields
    }
  }
`);

export const DELETE_REPORT = graphql(`
  mutation DeleteReport($id: ID!) {
    deleteReport(id: $id)
  }
`);

export const JOB_EVENTS = graphql(`
  subscription JobEvents {
    reportJobs {
      ...JobFields
    }
  }
`);

export const REPORT_STATS = graphql(`
  query ReportStats {
    reportStats {
      jobsByStatus {
        status
        count
      }
      queueDepth {
        priority
        count
      }
      delayedDepth {
        priority
        count
      }
      jobsRunning
      completedLastHour
      meanDurationSeconds
      p95DurationSeconds
      workersAlive
    }
  }
`);

export const FINISHED_JOBS = graphql(`
  query FinishedJobs($first: Int!) {
    reportJobs(status: COMPLETED, first: $first) {
      edges {
        node {
          id
          status
          finishedAt
        }
      }
    }
  }
`);

export const SCHEDULE_FIELDS = graphql(`
  fragment ScheduleFields on ReportSchedule {
    id
    name
    kind
    format
    priority
    title
    cron
    timeZone
    period
    enabled
    deliverTo {
      channel
      target
    }
    nextRunAt
    lastRunAt
    createdAt
  }
`);

export const SCHEDULES = graphql(`
  query Schedules($first: Int!, $after: String) {
    reportSchedules(first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          ...ScheduleFields
        }
      }
    }
  }
`);

export const SCHEDULE_RUNS = graphql(`
  query ScheduleRuns($id: ID!, $first: Int!, $after: String) {
    reportSchedule(id: $id) {
      id
      runs(first: $first, after: $after) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        edges {
          node {
            id
            scheduledFor
            createdAt
            job {
              ...JobFields
            }
          }
        }
      }
    }
  }
`);

export const CREATE_SCHEDULE = graphql(`
  mutation CreateSchedule($input: ReportScheduleInput!) {
    createReportSchedule(input: $input) {
      ...ScheduleFields
    }
  }
`);

export const UPDATE_SCHEDULE = graphql(`
  mutation UpdateSchedule($id: ID!, $input: ReportScheduleInput!) {
    updateReportSchedule(id: $id, input: $input) {
      ...ScheduleFields
    }
  }
`);

export const SET_SCHEDULE_ENABLED = graphql(`
  mutation SetScheduleEnabled($id: ID!, $enabled: Boolean!) {
    setReportScheduleEnabled(id: $id, enabled: $enabled) {
      ...ScheduleFields
    }
  }
`);

export const RUN_SCHEDULE_NOW = graphql(`
  mutation RunScheduleNow($id: ID!) {
    runReportScheduleNow(id: $id) {
      id
      scheduledFor
      createdAt
      job {
        ...JobFields
      }
    }
  }
`);

export const DELETE_SCHEDULE = graphql(`
  mutation DeleteSchedule($id: ID!) {
    deleteReportSchedule(id: $id)
  }
`);
