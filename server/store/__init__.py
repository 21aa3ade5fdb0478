"""The build directory on disk: its layout, what a build reports, which build is current, and the search index file.

Read by the server, written by the build; it knows nothing of either.
"""
