"""Local servers that speak vendors' documented protocols, for tests and benchmarks."""
