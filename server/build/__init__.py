"""`govsocial build`: check the inputs, load them into a fresh store, validate, derive dumps and the search index,
then make the new build current.

The only layer that reads the curated files and the SHACL shapes (with rdflib); the web process never imports it.
"""
