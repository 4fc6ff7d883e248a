import Foundation

/// The text of `graphcam data summary DATASET`: counts per class, the patient distribution,
/// lesion annotations, and (given a split) counts per split and class against their targets.
public enum DataSummary {
    public static func text(for dataset: Dataset, split: DataSplit? = nil) -> String {
        var lines: [String] = []
        let total = dataset.samples.count
        lines.append("dataset \(dataset.name): \(total) images, \(dataset.classNames.count) classes")
        if dataset.name == Synthetic.datasetName {
            lines.append("  (SYNTHETIC: generated images, not patient data)")
        }
        if let root = dataset.root { lines.append("root: \(root.path)") }

        lines.append("")
        lines.append("images per class:")
        let counts = dataset.classCounts
        let width = max(5, dataset.classNames.map(\.count).max() ?? 0)
        for (name, count) in zip(dataset.classNames, counts) {
            lines.append("  \(pad(name, width))  \(pad(String(count), 6, right: true))  \(percent(count, total))")
        }

        let patients = dataset.patients
        lines.append("")
        lines.append("patients: \(patients.count)")
        var patientsPerClass = [Int](repeating: 0, count: dataset.classNames.count)
        var sizes: [Int: Int] = [:]
        for patient in patients {
            let worst = dataset.worstLabel(ofSampleIndices: patient.sampleIndices)
            if patientsPerClass.indices.contains(worst) { patientsPerClass[worst] += 1 }
            sizes[patient.sampleIndices.count, default: 0] += 1
        }
        lines.append("  by worst label:")
        for (name, count) in zip(dataset.classNames, patientsPerClass) {
            lines.append("    \(pad(name, width))  \(pad(String(count), 6, right: true))  \(percent(count, patients.count))")
        }
        lines.append("  images per patient: " + sizes.keys.sorted().map { "\($0) image\($0 == 1 ? "" : "s") x \(sizes[$0] ?? 0)" }.joined(separator: ", "))
        let mixed = patients.filter { Set($0.sampleIndices.map { dataset.samples[$0].label }).count > 1 }.count
        lines.append("  patients with images of more than one class: \(mixed)")

        let withLesions = dataset.samples.filter { !$0.lesions.isEmpty }.count
        let circles = dataset.samples.reduce(0) { $0 + $1.lesions.count }
        lines.append("")
        lines.append("lesion circles: \(circles) on \(withLesions) images")

        if let split {
            lines.append("")
            lines.append("split (seed \(split.seed), hash \(split.sampleListHash)):")
            let perSplit = split.classCounts(of: dataset)
            let targets = split.classTargets(of: dataset)
            let partWidth = max(5, split.plan.names.map(\.count).max() ?? 0)
            let header = dataset.classNames.map { pad($0, max(12, $0.count), right: true) }.joined(separator: " ")
            lines.append("  \(pad("split", partWidth))  fraction  images  patients \(header)")
            for (p, name) in split.plan.names.enumerated() {
                let images = perSplit[p].reduce(0, +)
                let patientCount = patients.filter { split.assignment[dataset.samples[$0.sampleIndices[0]].id] == p }.count
                let cells = zip(perSplit[p], targets[p]).enumerated().map { c, pair in
                    pad("\(pair.0) (\(String(format: "%.1f", pair.1)))", max(12, dataset.classNames[c].count), right: true)
                }.joined(separator: " ")
                lines.append("  \(pad(name, partWidth))  \(pad(String(format: "%.2f", split.plan.fractions[p]), 8, right: true))  \(pad(String(images), 6, right: true))  \(pad(String(patientCount), 8, right: true)) \(cells)")
            }
            lines.append("  (per class: images in the split, and the target in parentheses)")
        }

        if !dataset.notes.isEmpty {
            lines.append("")
            lines.append("notes:")
            for note in dataset.notes { lines.append("  - \(note)") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return right ? fill + text : text + fill
    }

    private static func percent(_ count: Int, _ total: Int) -> String {
        total == 0 ? "-" : String(format: "%5.1f%%", 100 * Double(count) / Double(total))
    }
}
