"""What the API and the workers share: Tortoise models and migrations, settings, job
transitions and events, and the names of every Redis key and channel."""
