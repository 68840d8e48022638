import HoardCore
import Testing

@Suite struct GCCOptionsTests {
    @Test func `the table is sorted by spelling with no duplicates`() {
        let names = GCCOptions.table.rows.map { Array($0.name.utf8) }
        for (a, b) in zip(names, names.dropFirst()) {
            #expect(
                a.lexicographicallyPrecedes(b),
                "\(String(decoding: a, as: UTF8.self)) before \(String(decoding: b, as: UTF8.self))"
            )
        }
    }

    @Test(arguments: GCCOptions.table.rows.filter { $0.form == .separate || $0.form == .joinedOrSeparate })
    func `an option with a separate value consumes the next argument`(spec: OptionSpec) {
        #expect(
            GCCOptions.table.match([spec.name, "value"], at: 0)
                == .option(MatchedOption(spec: spec, value: "value", argumentCount: 2))
        )
        #expect(GCCOptions.table.match([spec.name], at: 0) == .missingValue(spec))
    }

    @Test(arguments: GCCOptions.table.rows.filter { $0.form == .joined || $0.form == .joinedOrSeparate })
    func `an option with a joined value takes the rest of the argument`(spec: OptionSpec) {
        #expect(
            GCCOptions.table.match([spec.name + "value"], at: 0)
                == .option(MatchedOption(spec: spec, value: "value", argumentCount: 1))
        )
    }

    @Test(arguments: GCCOptions.table.rows.filter { $0.form == .flag })
    func `a flag matches only its exact spelling`(spec: OptionSpec) {
        #expect(
            GCCOptions.table.match([spec.name], at: 0)
                == .option(MatchedOption(spec: spec, value: nil, argumentCount: 1))
        )
    }

    @Test func `an unknown option is unknown`() {
        #expect(GCCOptions.table.match(["-fno-such-option-at-all"], at: 0) == .unknown)
    }
}
