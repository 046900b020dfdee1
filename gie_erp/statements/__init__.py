"""Monthly statements that a cooperative can read without reading French."""
