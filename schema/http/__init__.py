"""The HTTP and WebSocket edge: the GraphQL view, middleware, downloads and health."""
