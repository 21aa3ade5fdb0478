"""The RDF vocabulary every layer shares: namespaces and prefixes, the one table of formats, terms and labels.

Imports nothing of ours: the store, the build, the engine and the web all stand on it.
"""
