"""Benchmarks (make bench); never timed assertions in the test suite."""
