"""The demo programme (build.py is the entry point), built through the same services and curriculum file as a
real one."""
