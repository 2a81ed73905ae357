"""Background workers: capture and inference threads (the only place where Qt meets threads)."""
