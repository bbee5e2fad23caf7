"""Campaign definitions: schema and loader."""
