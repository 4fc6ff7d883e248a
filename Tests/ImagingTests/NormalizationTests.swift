import Testing
@testable import Imaging

/// One 2x1 RGB image: pixel 0 = (10, 20, 30), pixel 1 = (255, 0, 127.5).
private let pixels = try! Image(width: 2, height: 1, channels: 3, pixels: [10, 20, 30, 255, 0, 127.5])

@Suite struct NormalizationTests {
    @Test func caffeReversesToBGRAndSubtractsTheMean() throws {
        let t = try pixels.tensorCHW(.caffe)  // planes B, G, R
        let expected: [Float] = [30 - 103.939, 127.5 - 103.939, 20 - 116.779, 0 - 116.779, 10 - 123.68, 255 - 123.68]
        #expect(maxAbsDifference(t, expected) < 1e-4)
    }

    @Test func torchScalesThenStandardizes() throws {
        let t = try pixels.tensorCHW(.torch)
        let mean: [Float] = [0.485, 0.456, 0.406], std: [Float] = [0.229, 0.224, 0.225]
        let rgb: [[Float]] = [[10, 20, 30], [255, 0, 127.5]]
        for c in 0..<3 {
            for p in 0..<2 { #expect(abs(t[c * 2 + p] - (rgb[p][c] / 255 - mean[c]) / std[c]) < 1e-5) }
        }
    }

    @Test func unitTfAndRawRanges() throws {
        #expect(maxAbsDifference(try pixels.tensorCHW(.unit), [10, 255, 20, 0, 30, 127.5].map { $0 / 255 }) < 1e-6)
        #expect(maxAbsDifference(try pixels.tensorCHW(.tf), [10, 255, 20, 0, 30, 127.5].map { $0 / 127.5 - 1 }) < 1e-6)
        #expect(try pixels.tensorCHW(.raw) == [10, 255, 20, 0, 30, 127.5])
        #expect(InputNormalization.named("torch") == .torch)
    }

    @Test func channelReversingNeedsRGB() throws {
        let gray = try Image(width: 2, height: 2, channels: 1)
        #expect(thrownDescription { try gray.tensorCHW(.caffe) }?.contains("needs 3 channels") == true)
        #expect(try gray.expandedToRGB().tensorCHW(.caffe).count == 12)
    }

    @Test func writesIntoABatchSlot() throws {
        var batch = [Float](repeating: .nan, count: 12)
        try batch.withUnsafeMutableBufferPointer { buffer in
            try pixels.writeCHW(.raw, into: UnsafeMutableBufferPointer(rebasing: buffer[6..<12]))
        }
        #expect(Array(batch[6...]) == [10, 255, 20, 0, 30, 127.5])
        #expect(batch[0].isNaN, "other slots untouched")
    }
}
