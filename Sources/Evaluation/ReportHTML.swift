import Foundation

/// `report.html`: one self-contained page (inline CSS, SVG charts, base64 PNGs).
struct ReportHTML {
    var summary: ExperimentSummary
    var directory: RunDirectory

    func render() -> String {
        let c = summary.configuration
        let title = "GraphCAM experiment: \(c.models.count) model\(c.models.count == 1 ? "" : "s") on \(c.dataset)"
            + (summary.shortWarnings.isEmpty ? "" : " \u{2014} " + summary.shortWarnings.joined(separator: ", "))
        var html = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>\(e(title))</title>
        <style>
        body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:24px;color:#222;max-width:1400px}
        h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ccc}h3{font-size:15px}
        .warning{background:#fff3cd;border:1px solid #e0b000;padding:8px 12px;margin:6px 0;border-radius:4px}
        table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #bbb;padding:4px 8px;font-size:13px;text-align:right}
        th{background:#f2f2f2}td.name,th.name{text-align:left}.ci{color:#666;font-size:11px}
        .charts{display:flex;flex-wrap:wrap;gap:12px}.cm{display:inline-block;margin-right:24px;vertical-align:top}
        .triple{display:inline-block;margin:6px 12px 12px 0;vertical-align:top;font-size:12px}
        .triple img{width:180px;height:auto;border:1px solid #ccc;margin-right:2px}
        .note{color:#555;font-size:13px}
        </style></head><body>
        <h1>\(e(title))</h1>

        """
        for w in summary.warnings { html += "<div class=\"warning\">Warning: \(e(w)).</div>\n" }
        html += setup()
        if summary.results.isEmpty {
            html += "<p>No model has finished yet.</p>"
        } else {
            html += comparison() + curves() + roc() + confusion() + localization() + gallery()
        }
        return html + "</body></html>\n"
    }

    func setup() -> String {
        let c = summary.configuration
        let counts = summary.splitCounts.count == 3
            ? "train \(summary.splitCounts[0]), validation \(summary.splitCounts[1]), test \(summary.splitCounts[2]) images" : "unknown"
        let protocolText = c.splitProtocol == .leakageFree
            ? "leakage-free: 60/20/20 split by patient (split.json), augmentation (study's settings) on training images only, redrawn each epoch"
            : "paper-augment-before-split: each image augmented into \(c.augmentedCopies) copies first, copies split 60/20/20 at image level"
        var rows: [(String, String)] = [
            ("Dataset", "\(c.dataset) (task \(c.task); classes \(summary.classNames.joined(separator: " / ")), positive: \(summary.classNames.last ?? "1"))"),
            ("Protocol", protocolText), ("Split", counts),
            ("Training", "Adam (lr 1e-3), categorical cross-entropy, batch \(c.batchSize), \(c.epochs) epoch\(c.epochs == 1 ? "" : "s"), input \(c.imageSize)x\(c.imageSize), seed \(c.seed); best validation-loss epoch kept"),
            ("Weights", c.usesRandomWeights ? "seeded random (seed \(c.seed)); no pretrained weights"
                : c.weights.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")),
            ("Intervals", "95% percentile bootstrap resampling test patients (\(c.bootstrapResamples) resamples, seed \(c.seed))"),
        ]
        rows.append(("Trained", summary.results.map { "\($0.model): \($0.trainingNote)" }.joined(separator: "<br>")))
        var html = "<h2 id=\"setup\">Setup</h2><table>"
        for (k, v) in rows { html += "<tr><th class=\"name\">\(e(k))</th><td class=\"name\">\(k == "Trained" ? v : e(v))</td></tr>" }
        return html + "</table>\n"
    }

    func comparison() -> String {
        var html = "<h2 id=\"comparison\">Comparison on the test split</h2><table><tr><th class=\"name\">Model</th>"
        for m in Metric.allCases { html += "<th>\(e(m.title))</th>" }
        html += "<th>Test images</th><th>Best epoch</th><th>Trainable params</th><th>Training (s)</th><th>Total (s)</th></tr>"
        for r in summary.results {
            html += "<tr><td class=\"name\">\(e(r.model))</td>"
            for m in Metric.allCases {
                let v = r.metric(m)
                html += "<td>\(format(v?.value))<br><span class=\"ci\">(\(format(v?.lower))&ndash;\(format(v?.upper)))</span></td>"
            }
            html += "<td>\(r.confusion.total)</td><td>\(r.bestEpoch)</td><td>\(r.trainableParameters)</td>"
                + "<td>\(format(r.trainingSeconds, digits: 1))</td><td>\(format(r.totalSeconds, digits: 1))</td></tr>"
        }
        return html + "</table><p class=\"note\">Values on the test split; in parentheses the 95% interval over test patients. "
            + "Precision, recall and F1 are for the positive class '\(e(summary.classNames.last ?? "1"))'; n/a: undefined (e.g. no positive prediction).</p>\n"
    }

    func curves() -> String {
        var html = "<h2 id=\"curves\">Training curves</h2><div class=\"charts\">"
        for r in summary.results {
            let epochs = Double(max(r.curves.count, 1))
            let loss = r.curves.flatMap { [$0.trainLoss, $0.validationLoss ?? .nan] }.filter(\.isFinite)
            let top = max(loss.max() ?? 1, 0.1) * 1.05
            html += ReportSVG.lineChart(
                title: "\(r.model): loss", series: [
                    .init(name: "train", color: ReportSVG.palette[0], points: r.curves.map { (Double($0.epoch), $0.trainLoss) }.filter { $0.1.isFinite }),
                    .init(name: "validation", color: ReportSVG.palette[1],
                          points: r.curves.compactMap { p in p.validationLoss.map { (Double(p.epoch), $0) } }, dashed: true),
                ], xLabel: "epoch", yLabel: "cross-entropy", xRange: (epochs > 1 ? 1 : 0)...epochs, yRange: 0...top)
            html += ReportSVG.lineChart(
                title: "\(r.model): accuracy", series: [
                    .init(name: "train", color: ReportSVG.palette[0], points: r.curves.map { (Double($0.epoch), $0.trainAccuracy) }.filter { $0.1.isFinite }),
                    .init(name: "validation", color: ReportSVG.palette[1],
                          points: r.curves.compactMap { p in p.validationAccuracy.map { (Double(p.epoch), $0) } }, dashed: true),
                ], xLabel: "epoch", yLabel: "accuracy", xRange: (epochs > 1 ? 1 : 0)...epochs, yRange: 0...1)
        }
        return html + "</div>\n"
    }

    func roc() -> String {
        let series = summary.results.enumerated().map { i, r in
            ReportSVG.Series(name: "\(r.model) (AUC \(format(r.metric(.rocAUC)?.value)))",
                             color: ReportSVG.palette[i % ReportSVG.palette.count],
                             points: r.roc.map { ($0.falsePositiveRate, $0.truePositiveRate) })
        }
        return "<h2 id=\"roc\">ROC curves (test split)</h2>"
            + ReportSVG.lineChart(title: "ROC", series: series, xLabel: "false positive rate (1 - specificity)",
                                  yLabel: "true positive rate (recall)", xRange: 0...1, yRange: 0...1,
                                  width: 480, height: 400, diagonal: true) + "\n"
    }

    func confusion() -> String {
        let names = summary.classNames.count == 2 ? summary.classNames : ["negative", "positive"]
        var html = "<h2 id=\"confusion\">Confusion matrices (test split)</h2>"
        for r in summary.results {
            let m = r.confusion
            html += "<div class=\"cm\"><h3>\(e(r.model))</h3><table><tr><th class=\"name\">true \\ predicted</th>"
                + "<th>\(e(names[0]))</th><th>\(e(names[1]))</th></tr>"
                + "<tr><th class=\"name\">\(e(names[0]))</th><td>TN \(m.trueNegatives)</td><td>FP \(m.falsePositives)</td></tr>"
                + "<tr><th class=\"name\">\(e(names[1]))</th><td>FN \(m.falseNegatives)</td><td>TP \(m.truePositives)</td></tr></table></div>"
        }
        return html + "\n"
    }

    func localization() -> String {
        var html = "<h2 id=\"localization\">Grad-CAM localization on annotated lesions (test split)</h2>"
        html += "<table><tr><th class=\"name\">Model</th><th>Target layer</th><th>Images with lesions</th><th>Pointing game</th><th>Energy inside lesions</th><th>All-zero maps</th></tr>"
        for r in summary.results {
            html += "<tr><td class=\"name\">\(e(r.model))</td><td class=\"name\">\(e(r.gradcamTarget))</td>"
            if let l = r.localization {
                html += "<td>\(l.images)</td><td>\(estimate(l.pointingGame))</td><td>\(estimate(l.energyInside))</td>"
                    + "<td>\(l.allZeroMaps.map(String.init) ?? "?")</td></tr>"
                for (name, c) in (l.perClass ?? [:]).sorted(by: { $0.key < $1.key }) where (l.perClass?.count ?? 0) > 1 {
                    html += "<tr><td class=\"name\">\(e(r.model)): \(e(name))</td><td></td><td>\(c.images)</td>"
                        + "<td>\(estimate(c.pointingGame))</td><td>\(estimate(c.energyInside))</td><td></td></tr>"
                }
            } else {
                html += "<td>0</td><td>n/a</td><td>n/a</td><td>n/a</td></tr>"
            }
        }
        return html + "</table><p class=\"note\">Maps explain the positive class. Pointing game: the map's peak lies in a lesion circle (margin 0: the annotated radius itself, at display resolution). "
            + "Energy: share of the map's mass inside the circles. An all-zero map (no positive evidence at the target layer, common with untrained weights) counts as a miss with energy 0. Intervals: 95% bootstrap over images.</p>\n"
    }

    func gallery() -> String {
        var html = "<h2 id=\"gallery\">Grad-CAM gallery (test split)</h2><p class=\"note\">Each triple: original, heatmap, overlay; "
            + "annotated lesions circled in green. Score: predicted probability of '\(e(summary.classNames.last ?? "1"))'.</p>"
        for r in summary.results {
            html += "<h3>\(e(r.model))</h3>"
            if r.gallery.isEmpty { html += "<p>No test images.</p>" }
            for outcome in ["TP", "FP", "TN", "FN"] {
                let items = r.gallery.filter { $0.outcome == outcome }
                guard !items.isEmpty else { continue }
                html += "<div><strong>\(outcome)</strong><br>"
                for item in items {
                    var caption = "\(e(item.imageID)) &middot; score \(format(item.score))"
                    if let hit = item.pointingHit { caption += " &middot; pointing \(hit ? "hit" : "miss")" }
                    if let energy = item.energyInside { caption += " &middot; energy \(format(energy))" }
                    if item.mapAllZero == true { caption += " &middot; map all zero" }
                    html += "<div class=\"triple\">" + [item.original, item.heatmap, item.overlay].map(image).joined()
                        + "<br>\(caption)</div>"
                }
                html += "</div>"
            }
        }
        return html + "\n"
    }

    /// An `<img>` with the PNG inlined (base64), or linked relatively when unreadable.
    func image(_ relative: String) -> String {
        let url = directory.url.appendingPathComponent(relative)
        if let data = FileManager.default.contents(atPath: url.path) {
            return "<img alt=\"\(e(relative))\" src=\"data:image/png;base64,\(data.base64EncodedString())\">"
        }
        return "<img alt=\"\(e(relative)) (missing)\" src=\"\(e(relative))\">"
    }

    func estimate(_ m: MetricEstimate) -> String {
        "\(format(m.value)) <span class=\"ci\">(\(format(m.lower))&ndash;\(format(m.upper)))</span>"
    }

    func e(_ text: String) -> String { ReportSVG.escape(text) }
}
