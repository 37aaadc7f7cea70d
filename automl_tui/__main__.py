from automl_tui.cli import main

main()
