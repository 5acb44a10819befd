"""The image rules, one module per rule."""
