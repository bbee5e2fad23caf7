"""Publication (公示): immutable snapshots of a campaign's results, for citizens and the web."""
