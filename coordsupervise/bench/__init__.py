"""The benchmark (run.py is the entry point and the only module that imports the parts). The app never imports
it."""
