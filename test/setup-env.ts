// Keep test output readable: handler logs and EMF metrics are asserted on, not printed.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
