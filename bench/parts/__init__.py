"""The five parts of the benchmark, each a run(ctx) returning its JSON-ready results."""
