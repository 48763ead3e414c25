"""Job kinds: how one attempt of a job is carried out."""
