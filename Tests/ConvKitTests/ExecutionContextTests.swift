import ConvKit
import Testing

/// Tests of `Sources/ConvKit/Runtime`: ISA detection and the environment variables
/// `CONVKIT_ISA` and `CONVKIT_NUM_THREADS`.
@Suite("ExecutionContext")
struct ExecutionContextTests {
    @Test("CONVKIT_ISA lowers the instruction set and never raises it above the machine's")
    func isaVariableLowersTheChoice() throws {
        for requested in ISA.allCases {
            let context = try ExecutionContext(environment: ["CONVKIT_ISA": requested.rawValue])
            #expect(context.isa == min(requested, ISA.best))
            #expect(context.isa.isSupported)
        }
        #expect(try ExecutionContext(environment: ["CONVKIT_ISA": "AVX2"]).isa == min(.avx2, ISA.best))
        #expect(try ExecutionContext(environment: [:]).isa == ISA.best)
    }

    @Test("CONVKIT_NUM_THREADS sets the budget; the default is the processor count")
    func threadVariable() throws {
        #expect(try ExecutionContext(environment: ["CONVKIT_NUM_THREADS": "3"]).threads == 3)
        #expect(try ExecutionContext(environment: [:]).threads >= 1)
    }

    @Test("invalid environment values throw and say what was expected")
    func invalidValuesThrow() {
        for (variable, value) in [("CONVKIT_ISA", "sse9"), ("CONVKIT_NUM_THREADS", "0"), ("CONVKIT_NUM_THREADS", "many")] {
            #expect {
                try ExecutionContext(environment: [variable: value])
            } throws: { error in
                guard case let ConvKitError.invalidEnvironment(name, got, expected) = error else { return false }
                return name == variable && got == value && !expected.isEmpty
            }
        }
    }

    @Test("the generic ISA is always supported and a kernel table covers every supported ISA")
    func registryCoversSupportedISAs() throws {
        #expect(ISA.generic.isSupported)
        #expect(ISA.supported.first == .generic)
        for isa in ISA.supported {
            #expect(KernelTable.resolve(isa).isa == isa)
            #expect(try ExecutionContext(isa: isa).isa == isa)
            #expect(try ExecutionContext(isa: isa).kernels == KernelTable.resolve(isa))
        }
        for isa in ISA.allCases where !isa.isSupported {
            for kernel in KernelTable.allGEMMKernels where kernel.isa == isa {
                #expect(throws: ConvKitError.unsupportedISA(requested: isa, available: ISA.supported)) {
                    try ExecutionContext(gemmKernel: kernel)
                }
            }
            #expect(throws: ConvKitError.unsupportedISA(requested: isa, available: ISA.supported)) {
                try ExecutionContext(isa: isa)
            }
        }
    }

    @Test("a pinned GEMM kernel sets the ISA and must not need more than the context's ISA")
    func pinnedGEMMKernel() throws {
        for kernel in KernelTable.available.flatMap(\.gemm) {
            let context = try ExecutionContext(threads: 1, gemmKernel: kernel)
            #expect(context.gemmKernel == kernel && context.isa == kernel.isa)
            #expect(try ExecutionContext(isa: ISA.best, gemmKernel: kernel).isa == ISA.best)
            for lower in ISA.allCases where lower < kernel.isa {
                #expect {
                    try ExecutionContext(isa: lower, gemmKernel: kernel)
                } throws: { error in
                    guard case let ConvKitError.invalidArgument(name, message) = error else { return false }
                    return name == "gemmKernel" && message.contains(kernel.name) && message.contains(lower.rawValue)
                }
            }
        }
        #expect(try ExecutionContext().gemmKernel == nil)
    }
}
