"""Live job events in the API process: the Redis event hub, results shared across
subscribers, and the memory policy for thousands of open subscriptions."""
