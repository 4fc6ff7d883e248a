import Foundation
import Imaging
import Testing
@testable import Datasets

/// The annotated centres land on the lesions: after the y flip (origin at the bottom-left,
/// row = 1023 - y), a circumscribed mass is brighter inside its circle than in the ring of
/// tissue around it. The same statistic with the unflipped convention does worse, which
/// is how the flip is known to be right.
@Suite(.enabled(if: MIASFixture.available, "needs the MIAS copy in shared/data/mias"))
struct MIASLesionPixelTests {
    /// Mean intensity inside `radius` of a centre, and in the ring 1.5r...2.5r, clipped to the image.
    static func insideAndRing(_ image: Image, column: Double, row: Double, radius: Double) -> (inside: Double, ring: Double) {
        var inSum = 0.0, inCount = 0.0, ringSum = 0.0, ringCount = 0.0
        let outer = 2.5 * radius
        let y0 = max(0, Int(row - outer)), y1 = min(image.height - 1, Int(row + outer))
        let x0 = max(0, Int(column - outer)), x1 = min(image.width - 1, Int(column + outer))
        guard y0 <= y1, x0 <= x1 else { return (0, 0) }
        for y in y0...y1 {
            for x in x0...x1 {
                let d = ((Double(x) - column) * (Double(x) - column) + (Double(y) - row) * (Double(y) - row)).squareRoot()
                let v = Double(image[x, y, 0])
                if d <= radius { inSum += v; inCount += 1 } else if d >= 1.5 * radius && d <= outer { ringSum += v; ringCount += 1 }
            }
        }
        return (inSum / max(inCount, 1), ringSum / max(ringCount, 1))
    }

    static func circumscribedMasses() throws -> [(MIASAnnotation, Image)] {
        let dir = try #require(MIASFixture.directory)
        let rows = try MIAS.readAnnotations(directory: dir).filter { $0.abnormality == "CIRC" && $0.x != nil }
        return try rows.map { row in
            (row, try PNG.read(path: dir.appendingPathComponent("images/\(row.reference).png").path))
        }
    }

    @Test("Circumscribed masses are brighter than their surroundings with the y flip, not without")
    func centresLandOnMasses() throws {
        let masses = try Self.circumscribedMasses()
        #expect(masses.count == 24)  // 25 CIRC rows, mdb059 has no coordinates
        var flippedHits = 0, unflippedHits = 0
        for (row, image) in masses {
            let x = Double(row.x!), y = Double(row.y!), r = Double(row.radius!)
            let flipped = Self.insideAndRing(image, column: x, row: Double(MIAS.imageSize - 1) - y, radius: r)
            let unflipped = Self.insideAndRing(image, column: x, row: y, radius: r)
            if flipped.inside > flipped.ring { flippedHits += 1 }
            if unflipped.inside > unflipped.ring { unflippedHits += 1 }
        }
        #expect(Double(flippedHits) >= 0.8 * Double(masses.count), "flipped: \(flippedHits)/\(masses.count)")
        #expect(flippedHits > unflippedHits, "flipped \(flippedHits) vs unflipped \(unflippedHits)")
    }

    @Test("Known cases: the flipped circle sits on the mass", arguments: ["mdb001", "mdb015", "mdb028", "mdb184", "mdb270"])
    func knownCases(reference: String) throws {
        let dir = try #require(MIASFixture.directory)
        let row = try #require(try MIAS.readAnnotations(directory: dir).first { $0.reference == reference && $0.x != nil })
        let image = try PNG.read(path: dir.appendingPathComponent("images/\(reference).png").path)
        let circle = try #require(row.lesion())
        let stats = Self.insideAndRing(image, column: circle.column, row: circle.row, radius: circle.radius)
        #expect(stats.inside > stats.ring, "\(reference): inside \(stats.inside), ring \(stats.ring)")
    }
}
