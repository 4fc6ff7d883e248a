/// Deterministic random numbers for augmentation: xoshiro256** seeded through SplitMix64.
///
/// Each sample gets its own generator from `(epochSeed, sampleIndex)`, so the augmentation of a
/// sample never depends on which thread handled it or in what order.
public struct AugmentationRNG: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// A generator whose four state words come from SplitMix64 over `seed`.
    public init(seed: UInt64) {
        var mixer = seed
        state = (AugmentationRNG.splitMix(&mixer), AugmentationRNG.splitMix(&mixer),
                 AugmentationRNG.splitMix(&mixer), AugmentationRNG.splitMix(&mixer))
    }

    /// The generator for one sample of one epoch.
    public init(epochSeed: UInt64, sampleIndex: Int) {
        self.init(seed: AugmentationRNG.sampleSeed(epochSeed: epochSeed, sampleIndex: sampleIndex))
    }

    /// A well-mixed per-sample seed: distinct indices give unrelated streams.
    public static func sampleSeed(epochSeed: UInt64, sampleIndex: Int) -> UInt64 {
        var mixer = epochSeed
        let epochKey = splitMix(&mixer)
        var combined = epochKey ^ (UInt64(bitPattern: Int64(sampleIndex)) &* 0xD1B5_4A32_D192_ED03)
        return splitMix(&combined)
    }

    /// One SplitMix64 step (Steele, Lea and Flood): advances `state` and returns a mixed word.
    public static func splitMix(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    @inline(__always) private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// The next 64 random bits (xoshiro256**, Blackman and Vigna).
    public mutating func next() -> UInt64 {
        let result = AugmentationRNG.rotl(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = AugmentationRNG.rotl(state.3, 45)
        return result
    }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func unit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform in [lower, upper).
    public mutating func uniform(_ lower: Double, _ upper: Double) -> Double {
        lower + (upper - lower) * unit()
    }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool {
        unit() < p
    }
}
