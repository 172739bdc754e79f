"""Adapters to the outside world: one interface per port, an embedded default and production backends."""
