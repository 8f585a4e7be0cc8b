"""Load test of the real server (`archive serve`, waitress) on an index of the OrangeSum
news corpus, driven by wrk over loopback. Run `python -m loadtest --help`."""
