"""One module per scenario of issue 8 (S1 to S6)."""
