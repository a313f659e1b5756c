import ConvKit
import Testing

/// Tests of `Sources/ConvKit/GEMM/GEMMKernelRegistry.swift`.
@Suite("GEMMKernelRegistry")
struct GEMMKernelRegistryTests {
    @Test("kernels are ordered fastest ISA first and end in the portable kernel")
    func ordering() {
        let all = GEMMKernelRegistry.all
        #expect(all.last?.isa == .generic)
        #expect(zip(all, all.dropFirst()).allSatisfy { $0.isa > $1.isa })
        #if arch(x86_64)
        #expect(all.map(\.name) == ["f32_gemm_14x32__avx512", "f32_gemm_6x16__avx2", "f32_gemm_4x8__vec128"])
        #endif
    }

    @Test("names say dtype, op, tile and ISA; blocking sizes are consistent", arguments: GEMMKernelRegistry.all)
    func namesAndBlocking(kernel: GEMMMicrokernel) {
        #expect(kernel.name.hasPrefix("f32_gemm_\(kernel.mr)x\(kernel.nr)__"))
        let b = kernel.blocking
        #expect(b.mc % b.mr == 0 && b.nc % b.nr == 0 && b.kc > 0)
    }

    @Test("each available kernel's FMA loop runs and reports its work", arguments: GEMMKernelRegistry.available)
    func peakLoopRuns(kernel: GEMMMicrokernel) {
        #expect(kernel.runPeakLoop(iterations: 1000) > 0)
    }
}
