"""The structure rules, one module per rule."""
