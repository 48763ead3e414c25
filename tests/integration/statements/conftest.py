"""Each test gets an empty database on SQLite, and on PostgreSQL when marked so."""

from tests.integration.store_backends import database as database
