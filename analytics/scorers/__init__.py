"""Customer scorers: plain classes, DataFrame in, DataFrame out (DESIGN §6)."""
