import Foundation
import Testing
@testable import Datasets

@Suite struct CSVTableTests {
    @Test func spreadsheetExportQuirks() throws {
        // BOM, CRLF, a quoted field with a comma and a doubled quote, spaces around fields,
        // a blank line, and no final newline.
        let text = "\u{FEFF}Image_name , Findings,Pathology Classification/ Follow up\r\n"
            + "P1_L_DM_CC , \"mass, irregular \"\"spiculated\"\"\",Malignant \r\n"
            + "\r\n"
            + "P1_R_DM_CC,,Normal"
        let table = try CSVTable(text: text, path: "sheet.csv")
        #expect(table.header == ["Image_name", "Findings", "Pathology Classification/ Follow up"])
        #expect(table.rows == [["P1_L_DM_CC", "mass, irregular \"spiculated\"", "Malignant"],
                               ["P1_R_DM_CC", "", "Normal"]])
        #expect(table.lineNumbers == [2, 4])
        #expect(table.column(named: "pathology classification follow up") == 2)
        #expect(table.column(named: "image name") == 0)
    }

    @Test func quotedLineBreakStaysInOneField() throws {
        let table = try CSVTable(text: "a,b\n\"x\ny\",2\n3,4\n")
        #expect(table.rows == [["x\ny", "2"], ["3", "4"]])
        #expect(table.lineNumbers == [2, 4])
    }

    @Test func errorsNameTheFileAndLine() {
        #expect(throws: DatasetError.malformed(path: "t.csv", line: 3, "3 fields, but the header has 2")) {
            try CSVTable(text: "a,b\n1,2\n1,2,3\n", path: "t.csv")
        }
        #expect(throws: DatasetError.malformed(path: "t.csv", line: 2, "unterminated quoted field")) {
            try CSVTable(text: "a,b\n\"1,2\n", path: "t.csv")
        }
        let table = try? CSVTable(text: "a,b\n1,2\n", path: "t.csv")
        #expect(throws: DatasetError.self) { try table?.requireColumn("label") }
    }
}
