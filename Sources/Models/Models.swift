// The Models module; see ../../README.md and DESIGN notes.
