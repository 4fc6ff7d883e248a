import Testing
@testable import GraphOpt
