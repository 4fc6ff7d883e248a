// Placeholder: the libFuzzer entry point is written in Tools/fuzz.
@main struct FuzzMain { static func main() {} }
