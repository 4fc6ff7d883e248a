import Testing
@testable import GradCAM
