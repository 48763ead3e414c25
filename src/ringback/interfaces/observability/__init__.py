"""Logs and metrics: how operators see what ringback does."""
