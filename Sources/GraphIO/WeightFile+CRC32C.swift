/// CRC-32C (Castagnoli), the checksum of every tensor in a weight file. Table-driven,
/// eight bytes per step ("slicing by 8"), so that checking a 100 MB file stays cheap.
enum CRC32C {
    /// `tables[k][b]` is the CRC of byte `b` followed by `k` zero bytes.
    private static let tables: [[UInt32]] = {
        var t = Array(repeating: Array(repeating: UInt32(0), count: 256), count: 8)
        for i in 0..<256 {
            var c = UInt32(i)
            for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
            t[0][i] = c
        }
        for k in 1..<8 {
            for i in 0..<256 { t[k][i] = (t[k - 1][i] >> 8) ^ t[0][Int(t[k - 1][i] & 0xff)] }
        }
        return t
    }()

    /// The checksum of `bytes`.
    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        let t = tables
        var crc: UInt32 = 0xFFFF_FFFF
        var i = 0
        let n = bytes.count
        while i + 8 <= n {
            let lo = crc ^ bytes.loadUnaligned(fromByteOffset: i, as: UInt32.self).littleEndian
            let hi = bytes.loadUnaligned(fromByteOffset: i + 4, as: UInt32.self).littleEndian
            crc = t[7][Int(lo & 0xff)] ^ t[6][Int((lo >> 8) & 0xff)]
                ^ t[5][Int((lo >> 16) & 0xff)] ^ t[4][Int(lo >> 24)]
                ^ t[3][Int(hi & 0xff)] ^ t[2][Int((hi >> 8) & 0xff)]
                ^ t[1][Int((hi >> 16) & 0xff)] ^ t[0][Int(hi >> 24)]
            i += 8
        }
        while i < n {
            crc = (crc >> 8) ^ t[0][Int((crc ^ UInt32(bytes[i])) & 0xff)]
            i += 1
        }
        return ~crc
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0) }
    }

    /// The text form stored in the XML: `crc32c:` and eight lowercase hex digits.
    static func label(_ crc: UInt32) -> String {
        let s = String(crc, radix: 16)
        return "crc32c:" + String(repeating: "0", count: 8 - s.count) + s
    }
}
