import Testing
@testable import GraphIO
