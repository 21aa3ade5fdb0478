"""Reconciliation: which institution of the graph a name written in a spreadsheet or news item means.

One matcher serves the curator's sheets (`govsocial curate`) and the W3C Reconciliation Service API at
`/reconcile` (OpenRefine): names, forms ("Stadt …", "Landkreis …"), type and Land hints, scores with reasons,
and never a guess where two candidates fit.
"""
