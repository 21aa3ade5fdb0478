"""What our data says about Wikidata: the coverage report and the QuickStatements export."""
