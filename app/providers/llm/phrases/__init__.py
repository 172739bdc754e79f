"""The embedded composer's phrase library, as plain data: one module per content type plus shared lines."""
