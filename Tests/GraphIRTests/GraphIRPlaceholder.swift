import Testing
@testable import GraphIR
