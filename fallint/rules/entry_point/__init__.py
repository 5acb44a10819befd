"""The entry point rules, one module per rule."""
