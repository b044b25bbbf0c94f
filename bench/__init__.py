"""Benchmarks (make bench and the older single-purpose scripts); bench.harness is shared."""
