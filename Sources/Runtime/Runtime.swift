// The Runtime module; see ../../README.md and DESIGN notes.
