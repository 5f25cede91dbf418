"""Message catalogs, one module per language, keyed by message id."""
