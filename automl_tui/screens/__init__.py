"""One file per wizard step; each step screen dismisses with NEXT or BACK (see automl_tui.state)."""
