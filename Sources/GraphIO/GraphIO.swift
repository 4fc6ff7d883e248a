// The GraphIO module; see ../../README.md and DESIGN notes.
