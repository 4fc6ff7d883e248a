import Testing
import Foundation
@testable import Kernels
import KernelsAVX512

/// `count` floats ending exactly where a page that may not be read begins, so reading one
/// float past them crashes the test instead of passing by luck.
private final class GuardedFloats {
    let base: UnsafeMutableRawPointer
    let length: Int
    let floats: UnsafeMutablePointer<Float>

    init(count: Int) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let dataPages = (count * MemoryLayout<Float>.stride + page - 1) / page
        length = (dataPages + 1) * page
        base = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        precondition(base != MAP_FAILED, "mmap failed")
        mprotect(base + dataPages * page, page, PROT_NONE)
        floats = (base + dataPages * page).assumingMemoryBound(to: Float.self) - count
    }

    deinit { munmap(base, length) }
}

@Suite("Broadcast kernel tile stores",
       .enabled(if: CPUFeatures.hasAVX512F, "the kernel is AVX-512 code"))
struct BroadcastStoreTests {
    /// A tile split across two images is stored as two partial tiles, the second starting
    /// `lane` rows into the 8-row scratch: only its `count` rows may be read.
    @Test("storeTile reads only the tile's first count rows and writes only count positions",
          arguments: [1, 3, 7, 8])
    func partialTileReadsOnlyItsRows(count: Int) {
        let channels = 4, planeStride = 11
        let tile = GuardedFloats(count: count * AVX512Broadcast.channelsPerPanel)
        for j in 0..<count {
            for c in 0..<AVX512Broadcast.channelsPerPanel {
                tile.floats[j * AVX512Broadcast.channelsPerPanel + c] = Float(100 * j + c)
            }
        }
        var output = [Float](repeating: -1, count: channels * planeStride)
        let bias: [Float] = [0.5, -0.5, 1, -1]
        output.withUnsafeMutableBufferPointer { y in
            bias.withUnsafeBufferPointer { b in
                AVX512Broadcast.storeTile(tile.floats, channels: channels, count: count, y: y.baseAddress!,
                                          planeStride: planeStride, bias: b.baseAddress!, residual: nil,
                                          activation: EpilogueCode.identity, p: 0, q: 0)
            }
        }
        for c in 0..<channels {
            for j in 0..<planeStride {
                let expected: Float = j < count ? Float(100 * j + c) + bias[c] : -1
                #expect(output[c * planeStride + j] == expected, "channel \(c) position \(j)")
            }
        }
    }
}
