"""automl-tui: the faces of the engine (command line now, Textual wizard next)."""
