"""The dashboard's stylesheet (a package so that it ships in the wheel)."""
