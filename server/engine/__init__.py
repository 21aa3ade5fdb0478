"""Answering one query, without Flask: jobs and answers, failures, the worker pool, the remote engine, the
in-process local engine, the facts read from a query's text, and the result cache.
"""
