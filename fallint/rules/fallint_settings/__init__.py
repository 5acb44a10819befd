"""The fallint settings rules, one module per rule."""
