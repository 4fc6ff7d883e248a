import Foundation

/// A parsed comma-separated table with a header row.
///
/// Tolerates what spreadsheet exports produce: a UTF-8 byte-order mark, CRLF or CR line ends,
/// quoted fields containing commas, quotes ("") or line breaks, a missing final newline,
/// blank lines, and spaces around fields and header names (trimmed).
public struct CSVTable: Sendable {
    /// Header names as written, trimmed.
    public var header: [String]
    /// Data rows, each padded with empty strings to the header width.
    public var rows: [[String]]
    /// 1-based line number in the file where each row starts, for error messages.
    public var lineNumbers: [Int]
    /// The file the table came from (for messages).
    public var path: String

    /// Reads and parses a file.
    public init(contentsOf url: URL) throws {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw DatasetError.missing(path: url.path)
        }
        guard let text = String(data: data, encoding: .utf8) ?? String(data: data, encoding: .isoLatin1) else {
            throw DatasetError.malformed(path: url.path, line: 0, "not UTF-8 or Latin-1 text")
        }
        try self.init(text: text, path: url.path)
    }

    /// Parses text; `path` is used only in error messages.
    public init(text: String, path: String = "<csv>") throws {
        self.path = path
        var records = try CSVTable.records(in: text, path: path)
        guard !records.isEmpty else { throw DatasetError.malformed(path: path, line: 0, "empty table") }
        let headerRecord = records.removeFirst()
        header = headerRecord.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        // A trailing separator on the header gives an unnamed last column: drop it.
        while header.count > 1, header.last == "" { header.removeLast() }
        rows = []
        lineNumbers = []
        for record in records {
            if record.fields.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            var fields = record.fields.map { $0.trimmingCharacters(in: .whitespaces) }
            if fields.count > header.count {
                let extra = fields[header.count...]
                guard extra.allSatisfy({ $0.isEmpty }) else {
                    throw DatasetError.malformed(path: path, line: record.line,
                        "\(fields.count) fields, but the header has \(header.count)")
                }
                fields.removeLast(fields.count - header.count)
            }
            while fields.count < header.count { fields.append("") }
            rows.append(fields)
            lineNumbers.append(record.line)
        }
    }

    /// Column index of the first header matching one of `names`, compared case-insensitively
    /// and ignoring spaces, underscores and punctuation (so `Patient_ID` matches `patient id`).
    public func column(named names: String...) -> Int? { column(named: names) }

    public func column(named names: [String]) -> Int? {
        let keys = header.map(CSVTable.normalizedName)
        for name in names {
            if let index = keys.firstIndex(of: CSVTable.normalizedName(name)) { return index }
        }
        return nil
    }

    /// Like `column(named:)`, but throws an error naming the file and the column.
    public func requireColumn(_ names: String...) throws -> Int {
        guard let index = column(named: names) else {
            throw DatasetError.malformed(path: path, line: 1,
                "no column named \(names.map { "'\($0)'" }.joined(separator: " or ")); header is \(header)")
        }
        return index
    }

    static func normalizedName(_ name: String) -> String {
        String(name.lowercased().unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) })
    }

    private struct Record { var fields: [String]; var line: Int }

    private static func records(in text: String, path: String) throws -> [Record] {
        var scalars = Array(text.unicodeScalars)
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
        var records: [Record] = []
        var fields: [String] = []
        var field = String.UnicodeScalarView()
        var inQuotes = false
        var line = 1, recordLine = 1
        var index = 0
        func endField() { fields.append(String(field)); field = String.UnicodeScalarView() }
        func endRecord() {
            endField()
            records.append(Record(fields: fields, line: recordLine))
            fields = []
        }
        while index < scalars.count {
            let c = scalars[index]
            if inQuotes {
                if c == "\"" {
                    if index + 1 < scalars.count, scalars[index + 1] == "\"" {
                        field.append("\""); index += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    if c == "\n" { line += 1 }
                    field.append(c)
                }
            } else if c == "\"" && String(field).trimmingCharacters(in: .whitespaces).isEmpty {
                field = String.UnicodeScalarView()
                inQuotes = true
            } else if c == "," {
                endField()
            } else if c == "\r" || c == "\n" {
                if c == "\r", index + 1 < scalars.count, scalars[index + 1] == "\n" { index += 1 }
                endRecord()
                line += 1
                recordLine = line
            } else {
                field.append(c)
            }
            index += 1
        }
        if inQuotes {
            throw DatasetError.malformed(path: path, line: recordLine, "unterminated quoted field")
        }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        return records
    }
}
