"""Background workers: the arq worker, the report task, report builders and renderers."""
