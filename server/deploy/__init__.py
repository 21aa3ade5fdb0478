"""Running several replicas of `govsocial serve` behind HAProxy: its configuration, its runtime API, the replica
processes, and the cluster command that starts, watches, updates and stops them all."""
