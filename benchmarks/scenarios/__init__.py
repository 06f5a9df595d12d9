"""The benchmark scenarios; each module's ``run(ctx)`` returns a ``Report``."""
