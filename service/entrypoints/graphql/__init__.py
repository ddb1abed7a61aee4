"""The public GraphQL API (strawberry), laid out as Arize-ai/phoenix lays out its own:

- `schema` builds the schema from the roots in `queries`, `mutations` and `subscriptions`,
  each assembled from one mixin per domain (`ExecutionMutationMixin`, …);
- `types` holds one module per GraphQL type (every error type in `types/errors`), and
  `input_types` one per input; types map domain records at this boundary (`from_domain`);
- `permissions` is the one guard: every field that acts for a caller checks its token there;
- `problems` is the one mapping from the use cases' problems to the API's error types;
- `context` is what each request (or WebSocket connection) carries; `hardening` the limits.
"""
