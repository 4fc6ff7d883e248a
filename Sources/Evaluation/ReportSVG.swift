import Foundation

/// Small inline-SVG line charts for the report.
enum ReportSVG {
    struct Series {
        var name: String
        var color: String
        var points: [(x: Double, y: Double)]
        var dashed = false
    }

    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]

    /// A line chart of `series` over the given axis ranges, with ticks and a legend.
    static func lineChart(title: String, series: [Series], xLabel: String, yLabel: String,
                          xRange: ClosedRange<Double>, yRange: ClosedRange<Double>,
                          width: Double = 420, height: Double = 300, diagonal: Bool = false) -> String {
        let left = 52.0, right = 12.0, top = 28.0, bottom = 44.0
        let legendHeight = Double(series.count) * 14 + 4
        let height = height + legendHeight
        let plotW = width - left - right, plotH = height - top - bottom - legendHeight
        let xSpan = max(xRange.upperBound - xRange.lowerBound, 1e-9), ySpan = max(yRange.upperBound - yRange.lowerBound, 1e-9)
        func px(_ x: Double) -> Double { left + (x - xRange.lowerBound) / xSpan * plotW }
        func py(_ y: Double) -> Double { top + plotH - (y - yRange.lowerBound) / ySpan * plotH }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
            + "viewBox=\"0 0 \(Int(width)) \(Int(height))\" class=\"chart\" role=\"img\" aria-label=\"\(escape(title))\">"
        svg += "<text x=\"\(n(width / 2))\" y=\"16\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\">\(escape(title))</text>"
        svg += "<rect x=\"\(n(left))\" y=\"\(n(top))\" width=\"\(n(plotW))\" height=\"\(n(plotH))\" fill=\"#fff\" stroke=\"#999\"/>"
        for i in 0...4 {
            let fy = yRange.lowerBound + ySpan * Double(i) / 4
            svg += "<line x1=\"\(n(left))\" x2=\"\(n(left + plotW))\" y1=\"\(n(py(fy)))\" y2=\"\(n(py(fy)))\" stroke=\"#eee\"/>"
            svg += "<text x=\"\(n(left - 4))\" y=\"\(n(py(fy) + 4))\" text-anchor=\"end\" font-size=\"10\">\(tick(fy))</text>"
        }
        // Integer ranges (epochs) get integer ticks.
        let integral = xRange.lowerBound.rounded() == xRange.lowerBound && xRange.upperBound.rounded() == xRange.upperBound && xSpan >= 1
        let xTicks = integral
            ? Array(stride(from: xRange.lowerBound, through: xRange.upperBound, by: max(1, (xSpan / 5).rounded(.up))))
            : (0...4).map { xRange.lowerBound + xSpan * Double($0) / 4 }
        for fx in xTicks {
            svg += "<text x=\"\(n(px(fx)))\" y=\"\(n(top + plotH + 14))\" text-anchor=\"middle\" font-size=\"10\">\(tick(fx))</text>"
        }
        svg += "<text x=\"\(n(left + plotW / 2))\" y=\"\(n(top + plotH + 30))\" text-anchor=\"middle\" font-size=\"11\">\(escape(xLabel))</text>"
        svg += "<text transform=\"translate(12 \(n(top + plotH / 2))) rotate(-90)\" text-anchor=\"middle\" font-size=\"11\">\(escape(yLabel))</text>"
        if diagonal {
            svg += "<line x1=\"\(n(px(0)))\" y1=\"\(n(py(0)))\" x2=\"\(n(px(1)))\" y2=\"\(n(py(1)))\" stroke=\"#bbb\" stroke-dasharray=\"4 3\"/>"
        }
        for s in series where !s.points.isEmpty {
            let path = s.points.map { "\(n(px($0.x))),\(n(py(min(max($0.y, yRange.lowerBound), yRange.upperBound))))" }.joined(separator: " ")
            svg += "<polyline fill=\"none\" stroke=\"\(s.color)\" stroke-width=\"2\"\(s.dashed ? " stroke-dasharray=\"5 3\"" : "") points=\"\(path)\"/>"
            if s.points.count == 1, let p = s.points.first {
                svg += "<circle cx=\"\(n(px(p.x)))\" cy=\"\(n(py(p.y)))\" r=\"3\" fill=\"\(s.color)\"/>"
            }
        }
        // The legend sits under the plot, where it cannot hide a curve.
        for (i, s) in series.enumerated() {
            let y = top + plotH + bottom + 10 + Double(i) * 14
            svg += "<line x1=\"\(n(left))\" x2=\"\(n(left + 20))\" y1=\"\(n(y - 4))\" y2=\"\(n(y - 4))\" stroke=\"\(s.color)\" stroke-width=\"2\"\(s.dashed ? " stroke-dasharray=\"5 3\"" : "")/>"
            svg += "<text x=\"\(n(left + 26))\" y=\"\(n(y))\" font-size=\"11\">\(escape(s.name))</text>"
        }
        return svg + "</svg>"
    }

    static func n(_ v: Double) -> String { String(format: "%.1f", v.isFinite ? v : 0) }

    static func tick(_ v: Double) -> String {
        abs(v - v.rounded()) < 1e-9 ? String(Int(v.rounded())) : String(format: "%.2f", v)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
