"""What makes a run safe and fast, knowing no stage: limits on child processes, the
stage cache, the no-op manifest, the signing key, and writing into build/."""
