"""`python -m bench`: the gateway's benchmark (issue 8). See bench/README.md."""
