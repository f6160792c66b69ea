"""Customer-analytics warehouse: extracts → PostgreSQL → customer activity, retention and scores."""

__version__ = "0.1.0"
