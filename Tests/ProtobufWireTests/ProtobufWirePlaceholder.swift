import Testing
@testable import ProtobufWire
