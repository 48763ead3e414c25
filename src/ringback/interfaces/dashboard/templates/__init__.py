"""The dashboard's Jinja2 templates (a package so that they ship in the wheel)."""
