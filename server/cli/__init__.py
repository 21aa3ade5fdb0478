"""The `govsocial` command and its sub-commands."""
