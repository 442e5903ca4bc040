"""What a request may cost: document limits (depth, aliases, tokens) and rate limits."""
