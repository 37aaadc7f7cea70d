from automl_tui.cli import main

if __name__ == "__main__":  # the wizard's engine process is spawned and re-imports this module
    main()
