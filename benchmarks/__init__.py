"""Per-request cost of the same request shapes in several dependency-injection libraries.

Run ``uv run --group bench python -m benchmarks`` from the repository root; it writes
``docs/benchmarks.md`` and ``docs/benchmarks.png``. ``--help`` lists the options.

Layout:

- :mod:`benchmarks.shapes` -- the request shapes: the classes every contender builds, the
  constructor counters and the semantic checks run before anything is timed.
- :mod:`benchmarks.contenders` -- one module per library, each wiring the shapes the way
  that library's documentation recommends for a request-scoped web handler.
- :mod:`benchmarks.harness` -- verification, interleaved timing, allocation measurement.
- :mod:`benchmarks.report` -- the markdown tables and the chart.
"""
