"""The command line: thin click commands that parse, build dependencies, call one function, print."""
