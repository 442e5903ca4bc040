"""The API process: the GraphQL schema (resolvers/ by feature, types/) and its machinery:
auth/ (who is calling), limits/ (what a request may cost), live/ (job events to
subscribers) and http/ (the view, middleware, downloads, health)."""
