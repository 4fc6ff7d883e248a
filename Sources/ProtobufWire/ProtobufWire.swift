// The ProtobufWire module; see ../../README.md and DESIGN notes.
