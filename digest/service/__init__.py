"""Long-running parts: the daemon, the poll scheduler, workers and the archive server.
"""
