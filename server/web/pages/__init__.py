"""The pages a person reads: workbench, Linked Data, entity pages, dashboard, dataset, search, ontology and how-to."""
