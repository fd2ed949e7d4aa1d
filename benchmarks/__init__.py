"""Side-by-side measurements against the naive one-job-per-client peer (issue 8)."""
