import Testing
@testable import GradCAM

struct LocalizationTests {
    /// A 10x10 map with its peak at (7, 2).
    let map: [Float] = (0..<100).map { $0 == 2 * 10 + 7 ? 1 : 0.1 }

    @Test func pointingGameChecksThePeakAgainstTheGrownCircle() {
        #expect(Localization.pointingGame(map, width: 10, height: 10, circle: Circle(x: 7, y: 3, radius: 1)))
        #expect(!Localization.pointingGame(map, width: 10, height: 10, circle: Circle(x: 2, y: 2, radius: 2)))
        #expect(Localization.pointingGame(map, width: 10, height: 10, circle: Circle(x: 2, y: 2, radius: 2), margin: 3))
        #expect(!Localization.pointingGame([Float](repeating: 0, count: 100), width: 10, height: 10,
                                           circle: Circle(x: 0, y: 0, radius: 100)))
    }

    @Test func energyInsideIsTheShareOfMass() {
        // Radius 0 at the peak: 1 of a total 1 + 99 * 0.1 = 10.9.
        let share = Localization.energyInside(map, width: 10, height: 10, circle: Circle(x: 7, y: 2, radius: 0))
        #expect(abs(share - 1 / 10.9) < 1e-6)
        #expect(abs(Localization.energyInside(map, width: 10, height: 10, circle: Circle(x: 5, y: 5, radius: 50)) - 1) < 1e-9)
    }

    @Test func bootstrapIntervalIsSeededAndBracketsTheMean() throws {
        let values = (0..<40).map { Double($0 % 7) }
        let a = try #require(BootstrapInterval.ofMean(values, seed: 3))
        let b = try #require(BootstrapInterval.ofMean(values, seed: 3))
        #expect(a == b)
        #expect(a.lower < a.mean && a.mean < a.upper)
        #expect(a.upper - a.lower < 2.5)  // sd 2, n 40: about +-0.6
        let constant = try #require(BootstrapInterval.ofMean([0.5, 0.5, 0.5]))
        #expect(constant.lower == 0.5 && constant.upper == 0.5)
        let perClass = BootstrapInterval.perClass([1, 1, 0, 0, 1], classes: [0, 0, 1, 1, 1])
        #expect(perClass[0]?.mean == 1 && perClass[1]?.count == 3)
        #expect(BootstrapInterval.ofMean([]) == nil)
    }
}
