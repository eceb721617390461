"""Atlas claims, one module per source or topic; every module here is discovered."""
