/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of checkpoint
/// tensors and files. Check value: `CRC32C.checksum("123456789".utf8) == 0xE3069283`.
public enum CRC32C {
    static let table: [UInt32] = (0..<256).map { byte -> UInt32 in
        var crc = UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        return crc
    }

    /// Continues a running checksum (start from 0) over `bytes`.
    public static func update<S: Sequence>(_ crc: UInt32, _ bytes: S) -> UInt32 where S.Element == UInt8 {
        var c = ~crc
        for b in bytes { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return ~c
    }

    public static func checksum<S: Sequence>(_ bytes: S) -> UInt32 where S.Element == UInt8 { update(0, bytes) }
}
